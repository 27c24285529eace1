//! API keys: create (with an optional expiry; the secret shown once, with a copy button),
//! list with last use and expiry, rename, revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_api::{ApiKey, ApiKeyIn, CheckRequest, Record, Role, Scope};

use crate::api::{self, Page};
use crate::ui::{
    ConfirmButton, ErrorBox, FieldErrors, FormState, Loading, MaybeError, PageTitle, Pager,
    from_datetime_input, now, use_can_write, use_query_param, use_tenant, when,
};

/// The tenant's API keys.
#[component]
pub fn ApiKeys() -> impl IntoView {
    let tenant = use_tenant();
    let can_write = use_can_write();
    let cursor = use_query_param("cursor");
    let keys = LocalResource::new(move || {
        let path = api::tenant_path(
            &tenant.get(),
            &format!("/api-keys{}", api::query(&[("cursor", &cursor.get())])),
        );
        api::get::<Page<ApiKey>>(path)
    });
    let name = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let check = RwSignal::new(true);
    let read = RwSignal::new(false);
    let write = RwSignal::new(false);
    let form = FormState::new();
    // The name and secret of the key just made, and whether it may check.
    let secret = RwSignal::new(None::<(String, String, bool)>);
    let revoke_problem = RwSignal::new(None);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.start();
        let scopes = [
            (Scope::Check, check),
            (Scope::Read, read),
            (Scope::Write, write),
        ]
        .into_iter()
        .filter(|(_, on)| on.get_untracked())
        .map(|(scope, _)| scope)
        .collect();
        let body = ApiKeyIn {
            name: name.get_untracked(),
            scopes,
            expires_at: from_datetime_input(&expires.get_untracked()),
            ..ApiKeyIn::default()
        };
        let tenant = tenant.get_untracked();
        spawn_local(async move {
            let result: Result<ApiKey, _> =
                api::send("POST", api::tenant_path(&tenant, "/api-keys"), &body).await;
            if let Some(key) = form.finish(result) {
                let checks = key.scopes.contains(&Scope::Check);
                secret.set(Some((key.name, key.secret.unwrap_or_default(), checks)));
                name.set(String::new());
                expires.set(String::new());
                keys.refetch();
            }
        });
    };
    // What the last revoke or rename did, in words (a revoked key leaves the list).
    let done = RwSignal::new(None::<String>);
    let revoke = move |key: ApiKey| {
        let tenant = tenant.get_untracked();
        done.set(None);
        spawn_local(async move {
            match api::delete_at(
                api::tenant_path(&tenant, &format!("/api-keys/{}", api::enc(&key.key_id))),
                Some(key.revision),
            )
            .await
            {
                Ok(_) => {
                    revoke_problem.set(None);
                    done.set(Some(format!(
                        "Key “{}” ({}) revoked: requests with it are refused from now on.",
                        key.name, key.key_id
                    )));
                    keys.refetch();
                }
                Err(problem) => revoke_problem.set(Some(problem)),
            }
        });
    };
    // The key being renamed, and the name typed for it.
    let renaming = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let rename = move |key: ApiKey| {
        let tenant = tenant.get_untracked();
        let body = ApiKeyIn {
            name: new_name.get_untracked(),
            scopes: key.scopes.clone(),
            expires_at: key.expires_at.clone(),
            ..ApiKeyIn::default()
        };
        done.set(None);
        spawn_local(async move {
            let result: Result<ApiKey, _> = api::send_at(
                "PUT",
                api::tenant_path(&tenant, &format!("/api-keys/{}", api::enc(&key.key_id))),
                &body,
                Some(key.revision),
            )
            .await;
            match result {
                Ok(renamed) => {
                    revoke_problem.set(None);
                    renaming.set(None);
                    done.set(Some(format!(
                        "Key {} renamed “{}”.",
                        renamed.key_id, renamed.name
                    )));
                    keys.refetch();
                }
                Err(problem) => revoke_problem.set(Some(problem)),
            }
        });
    };
    view! {
        <PageTitle title="API keys"/>
        <p class="hint">"Applications call the check API with a key. A key's secret is shown once, when it is created; only its hash is kept."</p>
        {move || secret.get().map(|(name, value, checks)| view! {
            <NewSecret name value checks tenant=tenant.get_untracked() dismiss=Callback::new(move |_| secret.set(None))/>
        })}
        <Show when=move || can_write.get()>
            <form class="inline-form" on:submit=create>
                <div class="field">
                    <label for="key-name">"Name"</label>
                    <input id="key-name" name="name" placeholder="checkout service" bind:value=name/>
                    <FieldErrors errors=form.errors field="name"/>
                </div>
                <div class="field">
                    <label for="key-expires">"Expires (UTC, optional)"</label>
                    <input id="key-expires" name="expiresAt" type="datetime-local" bind:value=expires/>
                    <FieldErrors errors=form.errors field="expiresAt"/>
                </div>
                <fieldset class="field scopes">
                    <legend>"Scopes"</legend>
                    <label><input type="checkbox" bind:checked=check/>" check"</label>
                    <label><input type="checkbox" bind:checked=read/>" read"</label>
                    <label><input type="checkbox" bind:checked=write/>" write"</label>
                    <FieldErrors errors=form.errors field="scopes"/>
                </fieldset>
                <button type="submit" class="primary" disabled=move || form.busy.get()>"Create key"</button>
            </form>
            <MaybeError problem=form.problem/>
        </Show>
        <MaybeError problem=revoke_problem/>
        {move || done.get().map(|text| view! { <p class="saved" role="status">{text}</p> })}
        {move || match keys.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"No API keys yet."</p> }.into_any(),
            Some(Ok(page)) => view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Key id"</th><th scope="col">"Scopes"</th>
                            <th scope="col">"Last used"</th><th scope="col">"Expires"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {page.items.iter().map(|key: &ApiKey| {
                                let key_id = key.key_id.clone();
                                let (for_revoke, for_rename) = (key.clone(), key.clone());
                                let this_one = key_id.clone();
                                let is_renaming = move || renaming.get().as_deref() == Some(this_one.as_str());
                                let start_rename = {
                                    let (id, name) = (key_id.clone(), key.name.clone());
                                    move |_| {
                                        new_name.set(name.clone());
                                        renaming.set(Some(id.clone()));
                                    }
                                };
                                let name = key.name.clone();
                                let expired = key
                                    .expires_at
                                    .as_deref()
                                    .zip(now())
                                    .is_some_and(|(at, now)| at <= now.as_str());
                                view! {
                                    <tr>
                                        <td>
                                            <Show when=is_renaming.clone() fallback=move || name.clone()>
                                                <form class="rename" on:submit={
                                                    let key = for_rename.clone();
                                                    move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); rename(key.clone()); }
                                                }>
                                                    <label class="visually-hidden" for="key-new-name">"New name"</label>
                                                    <input id="key-new-name" bind:value=new_name/>
                                                    <button type="submit" class="primary">"Save name"</button>
                                                    <button type="button" class="quiet" on:click=move |_| renaming.set(None)>"Cancel"</button>
                                                </form>
                                            </Show>
                                        </td>
                                        <td><code>{key_id.clone()}</code></td>
                                        <td>{key.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")}</td>
                                        <td>{key.last_used_at.as_deref().map_or_else(|| "never".to_owned(), when)}</td>
                                        <td>
                                            {key.expires_at.as_deref().map_or_else(|| "never".to_owned(), when)}
                                            {expired.then(|| view! { " " <span class="badge status-expired">"expired"</span> })}
                                        </td>
                                        <td>{when(&key.created_at)}</td>
                                        <td>
                                            <Show when=move || can_write.get()>
                                                <button type="button" class="quiet" on:click=start_rename.clone()>"Rename"</button>
                                                <ConfirmButton
                                                    label="Revoke"
                                                    question="Revoke this key? Applications using it stop working at once."
                                                    on_confirm=Callback::new({ let key = for_revoke.clone(); move |_| revoke(key.clone()) })
                                                />
                                            </Show>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager next=page.next_cursor.clone() base_query=""/>
            }.into_any(),
        }}
    }
}

/// A button that copies `text` to the clipboard, and says when it did.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(window) = web_sys::window() {
                let promise = window.navigator().clipboard().write_text(&text);
                spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                        copied.set(true);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! { <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button> }
}

/// A check to try a new key with: the first access record's first user, its first concrete
/// resource and a concrete action of its first role, so that in a tenant with a record the
/// snippet answers `"allowed": true`; the README's example names where something is missing.
async fn example_check(tenant: &str) -> CheckRequest {
    let mut check = CheckRequest {
        user_id: Some("user-1".into()),
        user_token: None,
        resource_uri: "/orgs/acme/documents/d1".into(),
        permission: "documents:read".into(),
        explain: false,
        min_revision: None,
        consistency: Default::default(),
    };
    let path = api::tenant_path(tenant, "/records?limit=1");
    let Some(record) = api::get::<Page<Record>>(path)
        .await
        .ok()
        .and_then(|page| page.items.into_iter().next())
    else {
        return check;
    };
    if let Some(user) = record.users.first() {
        check.user_id = Some(user.clone());
    }
    let Some(statement) = record.statements.first() else {
        return check;
    };
    if let Some(resource) = statement.resources.iter().find(|r| !r.contains('*')) {
        check.resource_uri = resource.clone();
    }
    if let Some(role) = statement.roles.first() {
        let path = api::tenant_path(tenant, &format!("/roles/{}", api::enc(role)));
        if let Some(action) = api::get::<Role>(path).await.ok().and_then(|role| {
            role.permissions
                .into_iter()
                .map(|entry| entry.action)
                .find(|action| !action.contains('*'))
        }) {
            check.permission = action;
        }
    }
    check
}

/// This console's origin (`http://127.0.0.1:8080`), where its API is.
fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
            return origin;
        }
    }
    String::new()
}

/// The secret of a key just created: shown once, with a copy button; for a key that may
/// check, a `curl` of a check with it, ready to paste.
#[component]
fn NewSecret(
    name: String,
    value: String,
    checks: bool,
    tenant: String,
    dismiss: Callback<()>,
) -> impl IntoView {
    let secret = value.clone();
    let snippet = LocalResource::new(move || {
        let (tenant, secret) = (tenant.clone(), secret.clone());
        async move {
            if !checks {
                return None;
            }
            let check = example_check(&tenant).await;
            let body = serde_json::json!({
                "userId": check.user_id,
                "resourceUri": check.resource_uri,
                "permission": check.permission,
            });
            Some(format!(
                "curl -s -X POST {}{} \\\n  -H 'Authorization: Bearer {secret}' -H 'Content-Type: application/json' \\\n  -d '{body}'",
                origin(),
                api::tenant_path(&tenant, "/check"),
            ))
        }
    });
    view! {
        <div class="secret" role="status">
            <p><strong>{format!("The secret of “{name}”.")}</strong>" Copy it now: it is not shown again."</p>
            <div class="secret-row">
                <code class="secret-value">{value.clone()}</code>
                <CopyButton text=value/>
                <button type="button" class="quiet" on:click=move |_| dismiss.run(())>"Done"</button>
            </div>
            {move || snippet.get().flatten().map(|snippet| view! {
                <p>"Try it: a check with this key, as your app will send it."</p>
                <div class="secret-row">
                    <pre class="snippet" data-testid="check-snippet">{snippet.clone()}</pre>
                    <CopyButton text=snippet/>
                </div>
            })}
        </div>
    }
}
