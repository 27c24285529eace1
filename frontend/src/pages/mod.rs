//! The console's pages.

pub mod admin;
pub mod audit;
pub mod decisions;
mod editor;
pub mod issuers;
pub mod keys;
pub mod members;
pub mod objects;
pub mod overview;
pub mod records;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use portcullis_api::{SessionInfo, SignIn};

use crate::api::{self, Problem};
use crate::ui::{
    ErrorBox, FormState, Loading, MaybeError, PageTitle, Session, use_query_param, use_tenants,
};

/// Where to go after signing in: the page that sent the visitor here, if it is one of
/// ours (never another site).
fn after_sign_in(next: &str) -> String {
    if next.starts_with("/console") && !next.starts_with("//") {
        next.to_owned()
    } else {
        "/console".to_owned()
    }
}

/// The sign-in page.
#[component]
pub fn Login() -> impl IntoView {
    let session = Session::get();
    let next = use_query_param("next");
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let form = FormState::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.start();
        spawn_local(async move {
            let body = SignIn {
                username: username.get_untracked(),
                password: password.get_untracked(),
            };
            let result: Result<SessionInfo, Problem> =
                api::send("POST", "/v1/session".into(), &body).await;
            if let Some(info) = form.finish(result) {
                api::set_csrf(&info.csrf_token);
                session.0.set(Some(info));
                use_navigate()(&after_sign_in(&next.get_untracked()), Default::default());
            }
        });
    };
    view! {
        <main class="login">
            <form class="card" on:submit=submit>
                <h1>"Portcullis"</h1>
                <p class="muted">"Sign in to the console"</p>
                <MaybeError problem=form.problem/>
                <label for="username">"Username"</label>
                <input
                    id="username"
                    name="username"
                    autocomplete="username"
                    required
                    bind:value=username
                />
                <label for="password">"Password"</label>
                <input
                    id="password"
                    name="password"
                    type="password"
                    autocomplete="current-password"
                    required
                    bind:value=password
                />
                <button type="submit" class="primary" disabled=move || form.busy.get()>
                    {move || if form.busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </form>
        </main>
    }
}

/// The start page: the tenants the account can open.
#[component]
pub fn Home() -> impl IntoView {
    let session = Session::get();
    let tenants = use_tenants();
    view! {
        <PageTitle title="Your tenants">
            {move || {
                session
                    .platform_admin()
                    .then(|| view! { <a class="button" href="/console/admin/tenants">"Manage tenants"</a> })
            }}
        </PageTitle>
        {move || match tenants.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(list)) if list.is_empty() && session.platform_admin() => {
                view! {
                    <p class="empty">
                        "No tenants yet. " <a href="/console/admin/tenants">"Create the first one"</a> "."
                    </p>
                }
                    .into_any()
            }
            Some(Ok(list)) if list.is_empty() => {
                view! {
                    <p class="empty">
                        "You are not a member of any tenant yet. A platform admin or a tenant owner can add you."
                    </p>
                }
                    .into_any()
            }
            Some(Ok(list)) => {
                view! {
                    <ul class="cards">
                        {list
                            .into_iter()
                            .map(|(id, name, role)| {
                                let href = format!("/console/t/{}", api::enc(&id));
                                let named = name != id;
                                view! {
                                    <li>
                                        <a class="card tenant-card" href=href>
                                            {named.then(|| view! { <strong>{name}</strong> " " })}
                                            <span class=if named { "tenant-id muted" } else { "tenant-id" }>{id}</span>
                                            <span class="badge">{role}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
    }
}

/// Any URL the console does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="narrow">
            <h1>"Page not found"</h1>
            <p>"There is no such page in the console. " <a href="/console">"Go to your tenants"</a></p>
        </main>
    }
}
