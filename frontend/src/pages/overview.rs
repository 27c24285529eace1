//! A tenant at a glance: counts, the current revision, the latest changes.

use leptos::prelude::*;
use serde_json::Value;

use crate::api::{self, Page};
use crate::ui::{ErrorBox, Loading, PageTitle, text, use_tenant, when};

/// The tenant's overview.
#[component]
pub fn Overview() -> impl IntoView {
    let tenant = use_tenant();
    let summary =
        LocalResource::new(move || api::get::<Value>(api::tenant_path(&tenant.get(), "/summary")));
    let latest = LocalResource::new(move || {
        api::get::<Page<Value>>(api::tenant_path(&tenant.get(), "/audit?limit=10"))
    });
    let base = move || format!("/console/t/{}", api::enc(&tenant.get()));
    let cards = [
        ("role", "Roles", "/roles"),
        ("group", "Groups", "/groups"),
        ("record", "Access records", "/records"),
        ("resource", "Resources", "/resources"),
        ("user", "Users", "/users"),
        ("apiKey", "API keys", "/api-keys"),
        ("member", "Members", "/members"),
    ];
    view! {
        {move || match summary.get() {
            None => view! { <PageTitle title=tenant.get()/><Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(s)) => {
                let base = base();
                let (name, revision) = (text(&s["name"]), format!("Revision {}", text(&s["revision"])));
                view! {
                    <PageTitle title=name>
                        <span class="revision">{revision}</span>
                    </PageTitle>
                    <ul class="stats">
                        {cards.iter().map(|(kind, label, path)| view! {
                            <li>
                                <a class="card stat" href=format!("{base}{path}")>
                                    <span class="number">{text(&s["counts"][*kind])}</span>
                                    <span class="label">{*label}</span>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        <h2>"Latest changes"</h2>
        {move || match latest.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) => view! {
                <ul class="changes">
                    {page.items.iter().map(|e| view! {
                        <li>
                            <span class="muted">{when(e["at"].as_str().unwrap_or_default())}</span>" "
                            <strong>{text(&e["action"])}</strong>" "
                            <code>{text(&e["target"]["id"])}</code>
                            " by " {format!("{} {}", text(&e["actor"]["kind"]), text(&e["actor"]["id"]))}
                            <span class="muted">{format!(" · revision {}", text(&e["revision"]))}</span>
                        </li>
                    }).collect_view()}
                </ul>
                <a href=format!("{}/audit", base())>"The whole audit log"</a>
            }.into_any(),
        }}
    }
}
