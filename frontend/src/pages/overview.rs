//! A tenant at a glance: counts, the current revision, the latest changes; and, until each
//! is done, the first steps of a new tenant (a member to run it, a role, a record, an API
//! key whose page shows a check to paste), each a link to where it is done.

use leptos::prelude::*;
use portcullis_api::{AuditEvent, TenantSummary};

use crate::api::{self, Page};
use crate::ui::{ErrorBox, Loading, PageTitle, use_tenant, when};

/// The tenant's overview.
#[component]
pub fn Overview() -> impl IntoView {
    let tenant = use_tenant();
    let summary = LocalResource::new(move || {
        api::get::<TenantSummary>(api::tenant_path(&tenant.get(), "/summary"))
    });
    let latest = LocalResource::new(move || {
        api::get::<Page<AuditEvent>>(api::tenant_path(&tenant.get(), "/audit?limit=10"))
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
                let (name, revision) = (s.name.clone(), format!("Revision {}", s.revision));
                view! {
                    <PageTitle title=name>
                        <span class="revision">{revision}</span>
                    </PageTitle>
                    <FirstSteps summary=s.clone() base=base.clone()/>
                    <ul class="stats">
                        {cards.iter().map(|(kind, label, path)| view! {
                            <li>
                                <a class="card stat" href=format!("{base}{path}")>
                                    <span class="number">{s.count(kind)}</span>
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
                            <span class="muted">{when(&e.at)}</span>" "
                            <strong>{e.action.clone()}</strong>" "
                            <code>{e.target.id.clone()}</code>
                            " by " {format!("{} {}", e.actor.kind, e.actor.id)}
                            <span class="muted">{format!(" · revision {}", e.revision)}</span>
                        </li>
                    }).collect_view()}
                </ul>
                <a href=format!("{}/audit", base())>"The whole audit log"</a>
            }.into_any(),
        }}
    }
}

/// The steps from a new tenant to a working check, while some are not done: each says
/// whether it is (from the summary's counts) and links to where it is done.
#[component]
fn FirstSteps(summary: TenantSummary, base: String) -> impl IntoView {
    let count = |kind: &str| summary.count(kind);
    let steps = [
        (
            count("member") > 0,
            "Invite the people who run this tenant",
            "/members",
            "Members",
        ),
        (
            count("role") > 0,
            "Define a role: the actions it allows",
            "/roles/_new",
            "New role",
        ),
        (
            count("record") > 0,
            "Give access: a record gives roles to users or groups on resources",
            "/records/_new",
            "New record",
        ),
        (
            count("apiKey") > 0,
            "Make an API key for your app: its page shows a check to paste into a terminal",
            "/api-keys",
            "API keys",
        ),
    ];
    let done = steps.iter().filter(|(done, ..)| *done).count();
    (done < steps.len()).then(|| {
        view! {
            <section class="card first-steps" aria-label="First steps">
                <h2>{format!("First steps ({done} of {} done)", steps.len())}</h2>
                <ol>
                    {steps.into_iter().map(|(done, what, path, link)| view! {
                        <li class=if done { "done" } else { "todo" }>
                            <span class="step-state">{if done { "Done" } else { "To do" }}</span>" "
                            {what}" "
                            <a href=format!("{base}{path}")>{link}</a>
                        </li>
                    }).collect_view()}
                </ol>
                <p class="hint">"Then ask the "<a href=format!("{base}/playground")>"check playground"</a>" whether a user may do something, and why."</p>
            </section>
        }
    })
}
