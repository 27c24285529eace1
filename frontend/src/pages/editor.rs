//! What every list and every editor of tenant objects shares: loading a page of a list or
//! one object, saving (create with `POST`, change with `PUT`), deleting after confirmation,
//! and showing the server's answer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde::Serialize;

use crate::api::{self, Object, Page, Problem};
use crate::ui::{
    ConfirmButton, ErrorBox, FormState, Loading, MaybeError, PageTitle, Pager, use_can_write,
    use_query_param, use_tenant,
};

/// The path segment that opens an editor for a new object; `_` cannot start an id, so it
/// never names an existing one.
pub const NEW: &str = "_new";

/// A list of one kind of object, a page at a time, with a link to create one.
#[component]
pub fn ObjectList<T: Object>(
    /// The page title.
    title: &'static str,
    /// The label of the create link.
    new_label: &'static str,
    /// Column headings.
    columns: &'static [&'static str],
    /// The cells of one item's row.
    row: fn(&T, &str) -> AnyView,
    /// The console path of the editor of a new object.
    new_href: fn(&str) -> String,
    /// Shown when the list is empty.
    empty: &'static str,
) -> impl IntoView {
    let tenant = use_tenant();
    let can_write = use_can_write();
    let cursor = use_query_param("cursor");
    let items = LocalResource::new(move || {
        let path = api::tenant_path(
            &tenant.get(),
            &format!(
                "/{}{}",
                T::SECTION,
                api::query(&[("cursor", &cursor.get())])
            ),
        );
        api::get::<Page<T>>(path)
    });
    let base = move || format!("/console/t/{}", api::enc(&tenant.get()));
    view! {
        <PageTitle title=title>
            {move || {
                can_write
                    .get()
                    .then(|| view! { <a class="button primary" href=new_href(&base())>{new_label}</a> })
            }}
        </PageTitle>
        {move || match items.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() && cursor.get().is_empty() => {
                view! { <p class="empty">{empty}</p> }.into_any()
            }
            Some(Ok(page)) => {
                let base = base();
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead>
                                <tr>
                                    {columns.iter().map(|c| view! { <th scope="col">{*c}</th> }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {page
                                    .items
                                    .iter()
                                    .map(|item| view! { <tr>{row(item, &base)}</tr> })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pager next=page.next_cursor.clone() base_query=""/>
                }
                    .into_any()
            }
        }}
    }
}

/// Where an editor's object id comes from.
#[derive(Debug, Clone, Copy)]
pub enum IdFrom {
    /// The `:id` path parameter ([`NEW`] for a new object).
    Path,
    /// A query parameter (resource URIs hold `/`); absent for a new object.
    Query(&'static str),
}

/// The state of an editor of one object.
pub struct Editor<T: Object> {
    /// The tenant.
    pub tenant: Memo<String>,
    /// The object's id; empty for a new one.
    pub id: Memo<String>,
    /// The object as loaded or last saved (`None` for a new one), kept so fields the form
    /// does not show (tags, metadata) survive a save.
    pub original: RwSignal<Option<T>>,
    /// The load.
    pub loaded: LocalResource<Option<Result<T, Problem>>>,
    /// The outcome of the last save or delete.
    pub form: FormState,
    /// What the last successful save said.
    pub saved: RwSignal<Option<String>>,
    /// Whether the account may change it.
    pub can_write: Memo<bool>,
}

impl<T: Object> Clone for Editor<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Object> Copy for Editor<T> {}

impl<T: Object> Editor<T> {
    /// An editor of objects of kind `T`.
    pub fn new(id_from: IdFrom) -> Self {
        let tenant = use_tenant();
        let params = use_params_map();
        let id = match id_from {
            IdFrom::Path => Memo::new(move |_| {
                let id = params.read().get("id").unwrap_or_default();
                if id == NEW { String::new() } else { id }
            }),
            IdFrom::Query(name) => use_query_param(name),
        };
        let loaded = LocalResource::new(move || {
            let (tenant, id) = (tenant.get(), id.get());
            async move {
                if id.is_empty() {
                    return None;
                }
                Some(
                    api::get::<T>(api::tenant_path(
                        &tenant,
                        &format!("/{}/{}", T::SECTION, api::enc(&id)),
                    ))
                    .await,
                )
            }
        });
        let original = RwSignal::new(None);
        Effect::new(move |_| {
            if let Some(Some(Ok(value))) = loaded.get() {
                original.set(Some(value));
            }
        });
        Self {
            tenant,
            id,
            original,
            loaded,
            form: FormState::new(),
            saved: RwSignal::new(None),
            can_write: use_can_write(),
        }
    }

    /// Whether this is a new object.
    pub fn is_new(&self) -> bool {
        self.id.get().is_empty()
    }

    /// The console path of the list.
    pub fn list_href(&self) -> String {
        format!(
            "/console/t/{}/{}",
            api::enc(&self.tenant.get_untracked()),
            T::SECTION
        )
    }

    /// The revision of the object as this page loaded (or last saved) it: saves and deletes
    /// apply only while it is still that one, so two admins editing the same object cannot
    /// overwrite each other unseen.
    fn opened_at(&self) -> Option<i64> {
        self.original
            .with_untracked(|o| o.as_ref().map(T::revision))
    }

    /// Saves `body`: `POST` for a new object (then opens its editor at `href(id)`), `PUT`
    /// for an existing one, with `If-Match` on the revision it was opened at.
    pub fn save(&self, body: impl Serialize + 'static, href: fn(&str, &str) -> String) {
        let this = *self;
        this.form.start();
        this.saved.set(None);
        let tenant = this.tenant.get_untracked();
        let id = this.id.get_untracked();
        let opened_at = this.opened_at();
        spawn_local(async move {
            let result: Result<T, Problem> = if id.is_empty() {
                api::send(
                    "POST",
                    api::tenant_path(&tenant, &format!("/{}", T::SECTION)),
                    &body,
                )
                .await
            } else {
                api::send_at(
                    "PUT",
                    api::tenant_path(&tenant, &format!("/{}/{}", T::SECTION, api::enc(&id))),
                    &body,
                    opened_at,
                )
                .await
            };
            if let Some(saved) = this.form.finish(result.map_err(changed_since_opened)) {
                this.saved
                    .set(Some(format!("Saved at revision {}.", saved.revision())));
                if id.is_empty() {
                    let base = format!("/console/t/{}", api::enc(&tenant));
                    use_navigate()(&href(&base, saved.id()), Default::default());
                }
                this.original.set(Some(saved));
            }
        });
    }

    /// Deletes the object, then returns to the list. A refusal (409 `in_use`) stays on the
    /// page with the objects that still refer to this one.
    pub fn delete(&self) {
        let this = *self;
        this.form.start();
        let tenant = this.tenant.get_untracked();
        let id = this.id.get_untracked();
        let opened_at = this.opened_at();
        spawn_local(async move {
            let result = api::delete_at(
                api::tenant_path(&tenant, &format!("/{}/{}", T::SECTION, api::enc(&id))),
                opened_at,
            )
            .await;
            if this
                .form
                .finish(result.map_err(changed_since_opened))
                .is_some()
            {
                use_navigate()(&this.list_href(), Default::default());
            }
        });
    }
}

/// A 412 said in words: someone else changed the object since this page opened it.
fn changed_since_opened(mut problem: Problem) -> Problem {
    if problem.code == "precondition_failed" {
        let now = problem
            .current_revision
            .map(|r| format!(" (it is now at revision {r})"))
            .unwrap_or_default();
        problem.detail = format!(
            "Someone changed this since you opened it{now}, so nothing was saved. Reload the page to see their changes, then make yours again."
        );
    }
    problem
}

/// The frame of an editor: title, load state, the form's fields (`children`), the server's
/// answer, and Save / Delete for those who may write.
#[component]
pub fn EditorFrame<T: Object>(
    editor: Editor<T>,
    /// `Role`, `Group` …
    noun: &'static str,
    /// Called on submit.
    on_save: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let title = move || {
        if editor.is_new() {
            format!("New {}", noun.to_lowercase())
        } else {
            format!("{noun} “{}”", editor.id.get())
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_save.run(());
    };
    let children = StoredValue::new(children);
    view! {
        <PageTitle title=Signal::derive(title)>
            <a href=move || editor.list_href()>"Back to the list"</a>
        </PageTitle>
        {move || match editor.loaded.get() {
            None if !editor.is_new() => view! { <Loading/> }.into_any(),
            Some(Some(Err(problem))) => view! { <ErrorBox problem/> }.into_any(),
            _ => {
                view! {
                    <form class="editor" on:submit=submit novalidate>
                        <fieldset disabled=move || !editor.can_write.get() || editor.form.busy.get()>
                            {children.with_value(|c| c())}
                        </fieldset>
                        <MaybeError problem=editor.form.problem/>
                        <References editor/>
                        {move || editor.saved.get().map(|s| view! { <p class="saved" role="status">{s}</p> })}
                        <Show when=move || editor.can_write.get()>
                            <div class="form-actions">
                                <button type="submit" class="primary">
                                    "Save"
                                </button>
                                <Show when=move || !editor.is_new()>
                                    <ConfirmButton
                                        label="Delete"
                                        question=format!("Delete this {}? This cannot be undone.", noun.to_lowercase())
                                        on_confirm=Callback::new(move |_| editor.delete())
                                    />
                                </Show>
                            </div>
                        </Show>
                        <Show when=move || !editor.can_write.get()>
                            <p class="muted">"Read only: your role in this tenant does not change things."</p>
                        </Show>
                    </form>
                }
                    .into_any()
            }
        }}
    }
}

/// The objects named by a refused delete, linked.
#[component]
fn References<T: Object>(editor: Editor<T>) -> impl IntoView {
    move || {
        let referrers = editor
            .form
            .problem
            .get()
            .map(|p| p.referrers)
            .unwrap_or_default();
        (!referrers.is_empty()).then(|| {
            let base = format!("/console/t/{}", api::enc(&editor.tenant.get()));
            view! {
                <div class="referrers">
                    <p>"Still used by:"</p>
                    <ul>
                        {referrers
                            .into_iter()
                            .map(|r| {
                                let href = format!("{base}/{}s/{}", r.kind, api::enc(&r.id));
                                view! { <li><a href=href>{format!("{} {}", r.kind, r.id)}</a></li> }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// Sets the form's signals from the loaded object once it arrives.
pub fn fill_from<T: Object>(editor: Editor<T>, fill: impl Fn(&T) + 'static) {
    Effect::new(move |_| {
        if let Some(Some(Ok(value))) = editor.loaded.get() {
            fill(&value);
        }
    });
}

/// A labelled text input with its server-side errors.
#[component]
pub fn TextField(
    #[prop(into)] label: String,
    /// The field's name in the body (and in the server's errors).
    field: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] hint: String,
    #[prop(optional)] disabled: Option<Signal<bool>>,
    errors: RwSignal<Vec<crate::api::FieldError>>,
) -> impl IntoView {
    let id = format!("field-{field}");
    let disabled = disabled.unwrap_or_else(|| Signal::derive(|| false));
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <input id=id name=field bind:value=value disabled=move || disabled.get()/>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint.clone()}</p> })}
            <crate::ui::FieldErrors errors field=field.to_owned()/>
        </div>
    }
}

/// A labelled text area with its server-side errors.
#[component]
pub fn TextArea(
    #[prop(into)] label: String,
    field: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] hint: String,
    errors: RwSignal<Vec<crate::api::FieldError>>,
) -> impl IntoView {
    let id = format!("field-{field}");
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id name=field rows="4" bind:value=value></textarea>
            {(!hint.is_empty()).then(|| view! { <p class="hint">{hint.clone()}</p> })}
            <crate::ui::FieldErrors errors field=field.to_owned()/>
        </div>
    }
}
