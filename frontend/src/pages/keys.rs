//! API keys: create (the secret shown once, with a copy button), list with last use, revoke.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_api::{ApiKey, ApiKeyIn, Scope};

use crate::api::{self, Page};
use crate::ui::{
    ConfirmButton, ErrorBox, FieldErrors, FormState, Loading, MaybeError, PageTitle, Pager,
    use_can_write, use_query_param, use_tenant, when,
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
            ..ApiKeyIn::default()
        };
        let tenant = tenant.get_untracked();
        spawn_local(async move {
            let result: Result<ApiKey, _> =
                api::send("POST", api::tenant_path(&tenant, "/api-keys"), &body).await;
            if let Some(key) = form.finish(result) {
                secret.set(Some((key.name, key.secret.unwrap_or_default())));
                name.set(String::new());
                keys.refetch();
            }
        });
    };
    let revoke = move |key_id: String| {
        let tenant = tenant.get_untracked();
        spawn_local(async move {
            match api::delete(api::tenant_path(
                &tenant,
                &format!("/api-keys/{}", api::enc(&key_id)),
            ))
            .await
            {
                Ok(_) => keys.refetch(),
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
        {move || match keys.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"No API keys yet."</p> }.into_any(),
            Some(Ok(page)) => view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Key id"</th><th scope="col">"Scopes"</th>
                            <th scope="col">"Last used"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {page.items.iter().map(|key: &ApiKey| {
                                let key_id = key.key_id.clone();
                                let id_for_revoke = key_id.clone();
                                view! {
                                    <tr>
                                        <td>{key.name.clone()}</td>
                                        <td><code>{key_id.clone()}</code></td>
                                        <td>{key.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")}</td>
                                        <td>{key.last_used_at.as_deref().map_or_else(|| "never".to_owned(), when)}</td>
                                        <td>{when(&key.created_at)}</td>
                                        <td>
                                            <Show when=move || can_write.get()>
                                                <ConfirmButton
                                                    label="Revoke"
                                                    question="Revoke this key? Applications using it stop working at once."
                                                    on_confirm=Callback::new({ let id = id_for_revoke.clone(); move |_| revoke(id.clone()) })
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
