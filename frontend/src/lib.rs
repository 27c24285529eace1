//! The Portcullis admin console: a Leptos app, rendered by the `portcullis` server (feature
//! `ssr`) and hydrated in the browser (feature `hydrate`, compiled to wasm by `scripts/build-console.sh`).
//!
//! It is a client of the public `/v1` API (see [`api`]): everything it shows or changes, an
//! integrator can too. Every page has its own URL under `/console`, with its state (filters,
//! the page of a list, the question of the playground) in the query string, so it can be
//! bookmarked and reloaded. Viewers get the same pages without edit controls, and the API
//! refuses their writes anyway.

// Leptos views are deeply nested types; the release (wasm) build needs room to lay them out.
#![recursion_limit = "512"]
// Every API call fails with the API's whole problem document (`portcullis_api::Problem`,
// 168 bytes: its type, title, detail, code, field errors and referrers), moved once per
// failed request in a browser; boxing it in every signature and every `ErrorBox` would buy
// nothing a user could notice.
#![allow(clippy::result_large_err)]

pub mod api;
mod pages;
mod pick;
#[cfg(feature = "ssr")]
pub mod server;
mod ui;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::path;

use portcullis_api::SessionInfo;

use crate::api::Problem;
use crate::ui::{ErrorBox, Loading, Session};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" href="/pkg/portcullis-console.css"/>
                <link rel="icon" href="/favicon.ico"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The console.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(Session(RwSignal::new(None)));
    provide_context(ui::TenantsChanged(RwSignal::new(0)));
    view! {
        <Title text="Portcullis console"/>
        <Router>
            <Routes fallback=pages::NotFound>
                <Route path=path!("/console/login") view=pages::Login/>
                <ParentRoute path=path!("/console") view=Layout>
                    <Route path=path!("") view=pages::Home/>
                    <Route path=path!("admin/tenants") view=pages::admin::Tenants/>
                    <Route path=path!("admin/accounts") view=pages::admin::Accounts/>
                    <Route path=path!("t/:tenant") view=pages::overview::Overview/>
                    <Route path=path!("t/:tenant/roles") view=pages::objects::RoleList/>
                    <Route path=path!("t/:tenant/roles/:id") view=pages::objects::RoleEditor/>
                    <Route path=path!("t/:tenant/groups") view=pages::objects::GroupList/>
                    <Route path=path!("t/:tenant/groups/:id") view=pages::objects::GroupEditor/>
                    <Route path=path!("t/:tenant/records") view=pages::records::RecordList/>
                    <Route path=path!("t/:tenant/records/:id") view=pages::records::RecordEditor/>
                    <Route path=path!("t/:tenant/resources") view=pages::objects::ResourceList/>
                    <Route path=path!("t/:tenant/resource") view=pages::objects::ResourceEditor/>
                    <Route path=path!("t/:tenant/users") view=pages::objects::UserList/>
                    <Route path=path!("t/:tenant/users/:id") view=pages::objects::UserEditor/>
                    <Route path=path!("t/:tenant/explorer") view=pages::decisions::Explorer/>
                    <Route path=path!("t/:tenant/playground") view=pages::decisions::Playground/>
                    <Route path=path!("t/:tenant/api-keys") view=pages::keys::ApiKeys/>
                    <Route path=path!("t/:tenant/issuers") view=pages::issuers::IssuerList/>
                    <Route path=path!("t/:tenant/issuers/:id") view=pages::issuers::IssuerEditor/>
                    <Route path=path!("t/:tenant/audit") view=pages::audit::Audit/>
                    <Route path=path!("t/:tenant/members") view=pages::members::Members/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The frame of every signed-in page: it loads the session (or sends the visitor to the
/// sign-in page), then shows the top bar, the tenant's navigation and the page.
#[component]
fn Layout() -> impl IntoView {
    let session = Session::get();
    let location = use_location();
    let loaded = LocalResource::new(move || api::get::<SessionInfo>("/v1/session".into()));
    Effect::new(move |_| {
        if let Some(result) = loaded.get() {
            match result {
                Ok(info) => {
                    api::set_csrf(&info.csrf_token);
                    session.0.set(Some(info));
                }
                Err(problem) if problem.status == 401 => {
                    let here = format!(
                        "{}{}",
                        location.pathname.get_untracked(),
                        location.search.get_untracked()
                    );
                    use_navigate()(
                        &format!("/console/login{}", api::query(&[("next", &here)])),
                        Default::default(),
                    );
                }
                Err(_) => {}
            }
        }
    });
    view! {
        {move || match (loaded.get(), session.0.get()) {
            (_, Some(_)) => view! { <SignedIn/> }.into_any(),
            (Some(Err(problem)), None) if problem.status != 401 => {
                view! {
                    <main class="narrow">
                        <ErrorBox problem/>
                    </main>
                }
                    .into_any()
            }
            _ => {
                view! {
                    <main class="narrow">
                        <Loading/>
                    </main>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn SignedIn() -> impl IntoView {
    let session = Session::get();
    let location = use_location();
    // The tenant of the current URL (`/console/t/<tenant>/…`), if any.
    let tenant = Memo::new(move |_| {
        let path = location.pathname.get();
        path.strip_prefix("/console/t/")
            .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
            .filter(|t| !t.is_empty())
    });
    let signing_out = RwSignal::new(None::<Problem>);
    let sign_out = move |_| {
        leptos::task::spawn_local(async move {
            match api::delete("/v1/session".into()).await {
                Ok(_) => {
                    session.0.set(None);
                    use_navigate()("/console/login", Default::default());
                }
                Err(problem) => signing_out.set(Some(problem)),
            }
        });
    };
    let username = move || {
        session
            .0
            .with(|s| s.as_ref().map(|s| s.account.username.clone()))
            .unwrap_or_default()
    };
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/console">
                    "Portcullis"
                </a>
                <TenantSwitcher current=tenant/>
                {move || {
                    session
                        .platform_admin()
                        .then(|| {
                            view! {
                                <nav class="platform" aria-label="platform">
                                    <A href="/console/admin/tenants">"Tenants"</A>
                                    <A href="/console/admin/accounts">"Accounts"</A>
                                </nav>
                            }
                        })
                }}
                <span class="spacer"></span>
                <span class="who" title="signed in as">
                    {username}
                </span>
                <button type="button" class="quiet" on:click=sign_out>
                    "Sign out"
                </button>
            </header>
            {move || signing_out.get().map(|problem| view! { <ErrorBox problem/> })}
            <div class="body">
                {move || tenant.get().map(|t| view! { <TenantNav tenant=t/> })}
                <main class="content">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}

/// The tenant switcher: the tenants the account belongs to (every tenant for a platform
/// admin), keeping the current section when switching.
#[component]
fn TenantSwitcher(current: Memo<Option<String>>) -> impl IntoView {
    let location = use_location();
    let all = ui::use_tenants();
    let switch = move |ev: leptos::ev::Event| {
        let tenant = event_target_value(&ev);
        if tenant.is_empty() {
            return;
        }
        // Keep the section (`roles`, `audit` …), not the object or the query.
        let path = location.pathname.get_untracked();
        let section = path
            .strip_prefix("/console/t/")
            .and_then(|rest| rest.split('/').nth(1))
            .map(|s| format!("/{s}"))
            .unwrap_or_default();
        use_navigate()(
            &format!("/console/t/{}{section}", api::enc(&tenant)),
            Default::default(),
        );
    };
    view! {
        <label class="switcher">
            <span class="visually-hidden">"Tenant"</span>
            <select on:change=switch aria-label="Tenant">
                <option value="" selected=move || current.get().is_none()>
                    "Choose a tenant…"
                </option>
                {move || {
                    all.get()
                        .and_then(Result::ok)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(t, _, _)| {
                            let selected = current.get().as_deref() == Some(t.as_str());
                            view! {
                                <option value=t.clone() selected=selected>
                                    {t.clone()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

#[component]
fn TenantNav(tenant: String) -> impl IntoView {
    let base = format!("/console/t/{}", api::enc(&tenant));
    let session = Session::get();
    // No badge where the account has no role (a tenant it does not belong to).
    let role = session.role_in(&tenant);
    let links = [
        ("", "Overview"),
        ("/roles", "Roles"),
        ("/groups", "Groups"),
        ("/records", "Access records"),
        ("/resources", "Resources"),
        ("/users", "Users"),
        ("/explorer", "Access explorer"),
        ("/playground", "Check playground"),
        ("/api-keys", "API keys"),
        ("/issuers", "Identity issuers"),
        ("/audit", "Audit log"),
        ("/members", "Members"),
    ];
    view! {
        <nav class="tenant-nav" aria-label="tenant">
            <p class="tenant-name">
                <strong>{tenant.clone()}</strong>
                {role.map(|role| view! { <span class=format!("badge role-{}", role.as_str())>{role.as_str()}</span> })}
            </p>
            <ul>
                {links
                    .into_iter()
                    .map(|(path, label)| {
                        view! {
                            <li>
                                <A href=format!("{base}{path}") exact=path.is_empty()>
                                    {label}
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The browser's entry point: hydrates the server-rendered page, then marks the body so
/// tests (and people) know the page is live.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.dataset().set("hydrated", "true");
    }
}
