//! Pieces every page uses: the session context, loading and error states, field errors,
//! confirmation of destructive actions, paging.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use portcullis_api::{MemberRole, SessionInfo, Tenant};

use crate::api::{FieldError, Page, Problem};

/// The signed-in account, shared by every page under the layout.
#[derive(Debug, Clone, Copy)]
pub struct Session(pub RwSignal<Option<SessionInfo>>);

impl Session {
    /// The session from the context the app provides.
    pub fn get() -> Self {
        expect_context::<Session>()
    }

    /// Whether the account manages tenants and accounts.
    pub fn platform_admin(&self) -> bool {
        self.0
            .with(|s| s.as_ref().is_some_and(|s| s.account.platform_admin))
    }

    /// The account's role in `tenant`; platform admins act as owners everywhere.
    pub fn role_in(&self, tenant: &str) -> Option<MemberRole> {
        self.0.with(|s| {
            let s = s.as_ref()?;
            if s.account.platform_admin {
                return Some(MemberRole::Owner);
            }
            s.account
                .memberships
                .iter()
                .find(|m| m.tenant_id == tenant)
                .map(|m| m.role)
        })
    }

    /// Whether the account may change things in `tenant`.
    pub fn can_write(&self, tenant: &str) -> bool {
        matches!(
            self.role_in(tenant),
            Some(MemberRole::Owner | MemberRole::Admin)
        )
    }

    /// Whether the account manages `tenant`'s members.
    pub fn can_manage_members(&self, tenant: &str) -> bool {
        self.role_in(tenant) == Some(MemberRole::Owner)
    }
}

/// Bumped when the console creates or deletes a tenant, so every list of tenants (the
/// switcher, the home page) asks the server again instead of showing the list of the page
/// load.
#[derive(Debug, Clone, Copy)]
pub struct TenantsChanged(pub RwSignal<u32>);

impl TenantsChanged {
    /// The counter from the context the app provides.
    pub fn get() -> Self {
        expect_context::<TenantsChanged>()
    }

    /// Says that the tenants changed.
    pub fn bump(&self) {
        self.0.update(|n| *n += 1);
    }
}

/// A tenant the account can open: its id, its name, the account's role there.
pub type TenantChoice = (String, String, String);

/// The tenants the account can open: every tenant for a platform admin, its memberships
/// otherwise.
pub fn use_tenants() -> LocalResource<Result<Vec<TenantChoice>, Problem>> {
    let session = Session::get();
    let changed = TenantsChanged::get();
    LocalResource::new(move || {
        changed.0.track();
        tenant_choices(session)
    })
}

/// The tenants `session`'s account can open, with their names.
async fn tenant_choices(session: Session) -> Result<Vec<TenantChoice>, Problem> {
    if session.platform_admin() {
        let page = crate::api::get::<Page<Tenant>>("/v1/tenants?limit=1000".into()).await?;
        Ok(page
            .items
            .into_iter()
            .map(|t| (t.tenant_id, t.name, "platform admin".to_owned()))
            .collect())
    } else {
        let memberships: Vec<(String, String)> = session.0.with_untracked(|s| {
            s.iter()
                .flat_map(|s| &s.account.memberships)
                .map(|m| (m.tenant_id.clone(), m.role.as_str().to_owned()))
                .collect()
        });
        let mut choices = Vec::with_capacity(memberships.len());
        for (tenant, role) in memberships {
            // A membership carries the tenant's id only; its name is the tenant's
            // (the id when the tenant cannot be read).
            let name = crate::api::get::<Tenant>(crate::api::tenant_path(&tenant, ""))
                .await
                .map_or_else(|_| tenant.clone(), |t| t.name);
            choices.push((tenant, name, role));
        }
        Ok(choices)
    }
}

/// The `:tenant` of the current route.
pub fn use_tenant() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("tenant").unwrap_or_default())
}

/// A query parameter of the current URL ("" when absent).
pub fn use_query_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(name).unwrap_or_default())
}

/// Whether the signed-in account may write in the current tenant.
pub fn use_can_write() -> Memo<bool> {
    let tenant = use_tenant();
    let session = Session::get();
    Memo::new(move |_| session.can_write(&tenant.get()))
}

/// The loading state.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status">"Loading…"</p> }
}

/// An error answer, in words, with its code, and each field the server found wrong (a
/// form shows those beside its fields instead, through [`FieldErrors`], and passes
/// `in_form`).
#[component]
pub fn ErrorBox(problem: Problem, #[prop(optional)] in_form: bool) -> impl IntoView {
    // A session that ended offers the way back in; the sign-in page's own refusal does
    // not, nor does a 401 about something else (a user's identity token refused).
    let on_sign_in = leptos_router::hooks::use_location()
        .pathname
        .get_untracked()
        .starts_with("/console/login");
    let signed_out = problem.status == 401 && problem.code == "unauthenticated" && !on_sign_in;
    let fields = if in_form { Vec::new() } else { problem.errors };
    view! {
        <div class="error" role="alert">
            <strong>{problem.detail}</strong>
            <span class="code">{problem.code}</span>
            {signed_out.then(|| view! { " " <a href="/console/login">"Sign in again"</a> })}
            {(!fields.is_empty()).then(|| view! {
                <ul class="field-error">
                    {fields.into_iter().map(|e| view! { <li><code>{e.field}</code>": "{e.message}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

/// An optional error, shown when set.
#[component]
pub fn MaybeError(problem: RwSignal<Option<Problem>>) -> impl IntoView {
    move || {
        problem
            .get()
            .map(|p| view! { <ErrorBox problem=p in_form=true/> })
    }
}

/// The server's messages for one field (and, unless `exact`, the fields inside it).
#[component]
pub fn FieldErrors(
    errors: RwSignal<Vec<FieldError>>,
    #[prop(into)] field: Signal<String>,
    #[prop(optional)] exact: bool,
) -> impl IntoView {
    let messages = move || {
        let field = field.get();
        errors.with(|errors| {
            errors
                .iter()
                .filter(|e| {
                    e.field == field
                        || (!exact
                            && (e.field.starts_with(&format!("{field}["))
                                || e.field.starts_with(&format!("{field}."))))
                })
                .map(|e| {
                    if e.field == field {
                        e.message.clone()
                    } else {
                        format!("{}: {}", e.field, e.message)
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <For each=messages key=|m| m.clone() let:message>
            <p class="field-error">{message}</p>
        </For>
    }
}

/// A form's submit outcome: the problem, with its field errors split out for the fields.
#[derive(Debug, Clone, Copy)]
pub struct FormState {
    /// The problem of the last submit.
    pub problem: RwSignal<Option<Problem>>,
    /// Its field errors.
    pub errors: RwSignal<Vec<FieldError>>,
    /// Whether a submit is under way.
    pub busy: RwSignal<bool>,
}

impl FormState {
    /// A form with nothing to show yet.
    pub fn new() -> Self {
        Self {
            problem: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
        }
    }

    /// Clears the last outcome and marks the form busy.
    pub fn start(&self) {
        self.problem.set(None);
        self.errors.set(Vec::new());
        self.busy.set(true);
    }

    /// Records the outcome; the value on success.
    pub fn finish<T>(&self, result: Result<T, Problem>) -> Option<T> {
        self.busy.set(false);
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.errors.set(problem.errors.clone());
                self.problem.set(Some(problem));
                None
            }
        }
    }
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

/// A destructive action that asks first: the first click shows the question with
/// "Confirm" and "Cancel".
#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let label_again = label.clone();
    view! {
        <Show
            when=move || asking.get()
            fallback=move || {
                view! {
                    <button type="button" class="danger" on:click=move |_| asking.set(true)>
                        {label.clone()}
                    </button>
                }
            }
        >
            <span class="confirm" role="group" aria-label="confirm">
                <span>{question.clone()}</span>
                <button
                    type="button"
                    class="danger"
                    on:click=move |_| {
                        asking.set(false);
                        on_confirm.run(());
                    }
                >
                    {format!("Confirm: {}", label_again.to_lowercase())}
                </button>
                <button type="button" on:click=move |_| asking.set(false)>
                    "Cancel"
                </button>
            </span>
        </Show>
    }
}

/// Links to the first and the next page of a list (the cursor lives in the URL, so every
/// page can be bookmarked). `param` names the cursor's query parameter (`cursor` unless a
/// page shows several lists).
#[component]
pub fn Pager(
    next: Option<String>,
    #[prop(into)] base_query: String,
    #[prop(optional)] param: Option<&'static str>,
) -> impl IntoView {
    let param = param.unwrap_or("cursor");
    let cursor = use_query_param(param);
    let joiner = if base_query.is_empty() { "?" } else { "&" };
    let first = if base_query.is_empty() {
        "?".to_owned()
    } else {
        base_query.clone()
    };
    let next_href = next.map(|c| format!("{base_query}{joiner}{param}={}", crate::api::enc(&c)));
    view! {
        <nav class="pager" aria-label="pages">
            {move || (!cursor.get().is_empty()).then(|| view! { <a href=first.clone()>"« First page"</a> })}
            {next_href.map(|href| view! { <a href=href rel="next">"Next page »"</a> })}
        </nav>
    }
}

/// A `datetime-local` input's value (read as UTC) as RFC 3339; `None` when empty.
pub fn from_datetime_input(value: &str) -> Option<String> {
    let value = value.trim();
    if value.is_empty() {
        None
    } else if value.len() == 16 {
        Some(format!("{value}:00Z"))
    } else {
        Some(format!("{value}Z"))
    }
}

/// A timestamp of the API (RFC 3339), shown as `2026-11-23 14:05:09 UTC`.
pub fn when(value: &str) -> String {
    if value.is_empty() {
        return "—".into();
    }
    let text = value.replace('T', " ");
    let trimmed = text
        .split('.')
        .next()
        .unwrap_or(&text)
        .trim_end_matches('Z');
    format!("{trimmed} UTC")
}

/// Now, written as the API writes times (`2026-12-02T10:00:00.000Z`, UTC, milliseconds), so
/// the two compare as text. `None` where there is no clock to ask: the server renders
/// pages without their data, which the browser loads.
pub fn now() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        Some(String::from(js_sys::Date::new_0().to_iso_string()))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        None
    }
}

/// Splits a list typed by a person: one item per line or comma, blanks dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The title bar of a page, with its actions.
#[component]
pub fn PageTitle(
    #[prop(into)] title: Signal<String>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <header class="page-title">
            <h1>{title}</h1>
            <div class="actions">{children.map(|c| c())}</div>
        </header>
    }
}
