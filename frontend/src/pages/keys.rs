//! API keys: create (with an optional expiry; the secret shown once, with a copy button),
//! list with last use and expiry, rename, revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_api::{ApiKey, ApiKeyIn, Scope};

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
    let secret = RwSignal::new(None::<(String, String)>);
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
                secret.set(Some((key.name, key.secret.unwrap_or_default())));
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
        {move || secret.get().map(|(name, value)| view! { <NewSecret name value dismiss=Callback::new(move |_| secret.set(None))/> })}
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

/// The secret of a key just created: shown once, with a copy button.
#[component]
fn NewSecret(name: String, value: String, dismiss: Callback<()>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let to_copy = value.clone();
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        {
            if let Some(window) = web_sys::window() {
                let promise = window.navigator().clipboard().write_text(&to_copy);
                spawn_local(async move {
                    if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                        copied.set(true);
                    }
                });
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &to_copy;
    };
    view! {
        <div class="secret" role="status">
            <p><strong>{format!("The secret of “{name}”.")}</strong>" Copy it now: it is not shown again."</p>
            <div class="secret-row">
                <code class="secret-value">{value}</code>
                <button type="button" on:click=copy>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                <button type="button" class="quiet" on:click=move |_| dismiss.run(())>"Done"</button>
            </div>
        </div>
    }
}
