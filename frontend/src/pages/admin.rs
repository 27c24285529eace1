//! Platform administration: tenants and console accounts.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_api::{Account, AccountIn, Tenant, TenantIn};

use crate::api::{self, Page};
use crate::ui::{
    ConfirmButton, ErrorBox, FieldErrors, FormState, Loading, MaybeError, PageTitle, Pager,
    Session, TenantsChanged, use_query_param, when,
};

/// Every tenant: create and delete.
#[component]
pub fn Tenants() -> impl IntoView {
    let cursor = use_query_param("cursor");
    let changed = TenantsChanged::get();
    let session = Session::get();
    let tenants = LocalResource::new(move || {
        api::get::<Page<Tenant>>(format!(
            "/v1/tenants{}",
            api::query(&[("cursor", &cursor.get())])
        ))
    });
    let tenant_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let form = FormState::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.start();
        let body = TenantIn {
            tenant_id: tenant_id.get_untracked().trim().to_owned(),
            name: name.get_untracked(),
            ..TenantIn::default()
        };
        spawn_local(async move {
            if form
                .finish(api::send::<Tenant>("POST", "/v1/tenants".into(), &body).await)
                .is_some()
            {
                tenant_id.set(String::new());
                name.set(String::new());
                tenants.refetch();
                changed.bump();
            }
        });
    };
    let delete = move |id: String| {
        form.start();
        spawn_local(async move {
            if form
                .finish(api::delete(api::tenant_path(&id, "")).await)
                .is_some()
            {
                tenants.refetch();
                changed.bump();
            }
        });
    };
    view! {
        <PageTitle title="Tenants"/>
        // Only a platform admin manages tenants: anyone else is told so by the list's
        // answer below, and is not offered a form that would be refused.
        <Show when=move || session.platform_admin()>
        <form class="inline-form" on:submit=create>
            <div class="field">
                <label for="tenant-id">"Tenant id"</label>
                <input id="tenant-id" placeholder="acme" bind:value=tenant_id/>
                <FieldErrors errors=form.errors field="tenantId"/>
            </div>
            <div class="field">
                <label for="tenant-name">"Name"</label>
                <input id="tenant-name" placeholder="Acme Inc." bind:value=name/>
                <FieldErrors errors=form.errors field="name"/>
            </div>
            <button type="submit" class="primary">"Create tenant"</button>
        </form>
        </Show>
        <MaybeError problem=form.problem/>
        {move || match tenants.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"No tenants yet."</p> }.into_any(),
            Some(Ok(page)) => view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Tenant"</th><th scope="col">"Name"</th><th scope="col">"Revision"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {page.items.iter().map(|t| {
                                let id = t.tenant_id.clone();
                                let for_delete = id.clone();
                                view! {
                                    <tr>
                                        <td><a href=format!("/console/t/{}", api::enc(&id))>{id.clone()}</a></td>
                                        <td>{t.name.clone()}</td>
                                        <td>{t.revision}</td>
                                        <td>{when(&t.created_at)}</td>
                                        <td><ConfirmButton label="Delete" question=format!("Delete tenant {id} with all its data and audit log?")
                                            on_confirm=Callback::new(move |_| delete(for_delete.clone()))/></td>
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

/// Every console account: create, delete, and see memberships.
#[component]
pub fn Accounts() -> impl IntoView {
    let session = Session::get();
    let cursor = use_query_param("cursor");
    let accounts = LocalResource::new(move || {
        api::get::<Page<Account>>(format!(
            "/v1/accounts{}",
            api::query(&[("cursor", &cursor.get())])
        ))
    });
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let platform_admin = RwSignal::new(false);
    let form = FormState::new();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.start();
        let body = AccountIn {
            username: username.get_untracked().trim().to_owned(),
            password: password.get_untracked(),
            platform_admin: platform_admin.get_untracked(),
        };
        spawn_local(async move {
            if form
                .finish(api::send::<Account>("POST", "/v1/accounts".into(), &body).await)
                .is_some()
            {
                username.set(String::new());
                password.set(String::new());
                platform_admin.set(false);
                accounts.refetch();
            }
        });
    };
    let delete = move |name: String| {
        form.start();
        spawn_local(async move {
            if form
                .finish(api::delete(format!("/v1/accounts/{}", api::enc(&name))).await)
                .is_some()
            {
                accounts.refetch();
            }
        });
    };
    view! {
        <PageTitle title="Accounts"/>
        <p class="hint">"Add an account to a tenant on the tenant's Members page."</p>
        <Show when=move || session.platform_admin()>
        <form class="inline-form" on:submit=create>
            <div class="field">
                <label for="account-username">"Username"</label>
                <input id="account-username" autocomplete="off" bind:value=username/>
                <FieldErrors errors=form.errors field="username"/>
            </div>
            <div class="field">
                <label for="account-password">"Password (12 characters or more)"</label>
                <input id="account-password" type="password" autocomplete="new-password" bind:value=password/>
                <FieldErrors errors=form.errors field="password"/>
            </div>
            <div class="field checkbox">
                <input id="account-admin" type="checkbox" bind:checked=platform_admin/>
                <label for="account-admin">"Platform admin"</label>
            </div>
            <button type="submit" class="primary">"Create account"</button>
        </form>
        </Show>
        <MaybeError problem=form.problem/>
        {move || match accounts.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) => {
                let me = session.0.with(|s| s.as_ref().map(|s| s.account.username.clone()).unwrap_or_default());
                view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Platform admin"</th><th scope="col">"Memberships"</th><th scope="col">"Created"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {page.items.iter().map(|a| {
                                let name = a.username.clone();
                                let for_delete = name.clone();
                                let memberships = a.memberships.iter()
                                    .map(|m| format!("{} ({})", m.tenant_id, m.role.as_str()))
                                    .collect::<Vec<_>>().join(", ");
                                view! {
                                    <tr>
                                        <td>{name.clone()}</td>
                                        <td>{if a.platform_admin { "yes" } else { "no" }}</td>
                                        <td class="wrap">{memberships}</td>
                                        <td>{when(&a.created_at)}</td>
                                        <td><ConfirmButton label="Delete" question=delete_question(&name, &me)
                                            on_confirm=Callback::new(move |_| delete(for_delete.clone()))/></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager next=page.next_cursor.clone() base_query=""/>
            }.into_any()
            }
        }}
    }
}

/// What deleting account `name` asks first: more plainly when it is the account signed in.
fn delete_question(name: &str, me: &str) -> String {
    if name == me {
        format!(
            "Delete your own account {name}? You are signed out at once and cannot sign in again."
        )
    } else {
        format!("Delete account {name}? Its sessions end at once.")
    }
}
