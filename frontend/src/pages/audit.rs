//! The audit log: filter by actor, action, target and time; each event shows what changed.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::AuditEvent;
use serde_json::Value;

use crate::api::{self, Page};
use crate::ui::{ErrorBox, Loading, PageTitle, Pager, use_query_param, use_tenant, when};

const FILTERS: [(&str, &str, &str); 6] = [
    ("actor", "Actor id", "ada, key_…"),
    ("action", "Action", "role.update, or role. for all"),
    ("targetKind", "Target kind", "role, record, member …"),
    ("targetId", "Target id", "editor"),
    ("from", "From (UTC)", ""),
    ("to", "Until (UTC)", ""),
];

/// A `datetime-local` value read as UTC, as RFC 3339 (other text passes through).
fn instant(value: &str) -> String {
    if value.len() == 16 && value.as_bytes().get(10) == Some(&b'T') {
        format!("{value}:00Z")
    } else {
        value.to_owned()
    }
}

/// The tenant's audit log.
#[component]
pub fn Audit() -> impl IntoView {
    let tenant = use_tenant();
    let params = FILTERS.map(|(name, _, _)| use_query_param(name));
    let cursor = use_query_param("cursor");
    let inputs = FILTERS.map(|_| RwSignal::new(String::new()));
    Effect::new(move |_| {
        for (input, param) in inputs.iter().zip(params.iter()) {
            let value = param.get();
            // Show an instant as the date picker wants it.
            input.set(value.trim_end_matches(":00Z").to_owned());
        }
    });
    let current_query = move || {
        let values: Vec<String> = params.iter().map(|p| p.get()).collect();
        let pairs: Vec<(&str, &str)> = FILTERS
            .iter()
            .zip(values.iter())
            .map(|((name, _, _), value)| (*name, value.as_str()))
            .collect();
        api::query(&pairs)
    };
    let events = LocalResource::new(move || {
        let query = current_query();
        let cursor = cursor.get();
        let joiner = if query.is_empty() { "?" } else { "&" };
        let cursor_part = if cursor.is_empty() {
            String::new()
        } else {
            format!("{joiner}cursor={}", api::enc(&cursor))
        };
        api::get::<Page<AuditEvent>>(api::tenant_path(
            &tenant.get(),
            &format!("/audit{query}{cursor_part}"),
        ))
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let values: Vec<String> = inputs
            .iter()
            .zip(FILTERS.iter())
            .map(|(input, (name, _, _))| {
                let value = input.get_untracked().trim().to_owned();
                if matches!(*name, "from" | "to") {
                    instant(&value)
                } else {
                    value
                }
            })
            .collect();
        let pairs: Vec<(&str, &str)> = FILTERS
            .iter()
            .zip(values.iter())
            .map(|((n, _, _), v)| (*n, v.as_str()))
            .collect();
        use_navigate()(
            &format!(
                "/console/t/{}/audit{}",
                api::enc(&tenant.get_untracked()),
                api::query(&pairs)
            ),
            Default::default(),
        );
    };
    view! {
        <PageTitle title="Audit log"/>
        <form class="filters" on:submit=submit>
            {FILTERS.iter().zip(inputs.iter()).map(|((name, label, placeholder), input)| {
                let id = format!("filter-{name}");
                let kind = if matches!(*name, "from" | "to") { "datetime-local" } else { "text" };
                view! {
                    <div class="field">
                        <label for=id.clone()>{*label}</label>
                        <input id=id name=*name type=kind placeholder=*placeholder bind:value=*input/>
                    </div>
                }
            }).collect_view()}
            <div class="filter-actions">
                <button type="submit" class="primary">"Filter"</button>
                <a href=move || format!("/console/t/{}/audit", api::enc(&tenant.get()))>"Clear"</a>
            </div>
        </form>
        {move || match events.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"No events match."</p> }.into_any(),
            Some(Ok(page)) => view! {
                <ol class="events">
                    {page.items.iter().map(|event| view! { <Event event=event.clone()/> }).collect_view()}
                </ol>
                <Pager next=page.next_cursor.clone() base_query=current_query()/>
            }.into_any(),
        }}
    }
}

/// An event as a sentence: `Account alice changed role editor: name, permissions.`
fn sentence(event: &AuditEvent, changed: &[String]) -> String {
    let verb = match event.action.rsplit('.').next().unwrap_or_default() {
        "create" => "created",
        "update" => "changed",
        "delete" => "deleted",
        "import" => "imported into",
        other => other,
    };
    let id = &event.actor.id;
    let actor = match event.actor.kind.as_str() {
        "platformAdmin" => "The platform admin token".to_owned(),
        "account" => format!("Account {id}"),
        "user" => format!("User {id} (with their identity token)"),
        "apiKey" => format!("API key {id}"),
        other => format!("{other} {id}"),
    };
    let target = format!("{} {}", event.target.kind, event.target.id);
    if verb == "changed" && !changed.is_empty() {
        format!("{actor} changed {target}: {}.", changed.join(", "))
    } else {
        format!("{actor} {verb} {target}.")
    }
}

/// Fields every change of an object changes: not worth a row.
const BOOKKEEPING: [&str; 2] = ["updatedAt", "revision"];

#[component]
fn Event(event: AuditEvent) -> impl IntoView {
    let (rows, unchanged): (Vec<_>, Vec<_>) = diff(event.before.as_ref(), event.after.as_ref())
        .into_iter()
        .filter(|(field, ..)| !BOOKKEEPING.contains(&field.as_str()))
        .partition(|(.., change)| *change != "same");
    let changed: Vec<String> = rows.iter().map(|(field, ..)| field.clone()).collect();
    let unchanged = unchanged.len();
    view! {
        <li class="event">
            <details>
                <summary>
                    <span class="muted">{when(&event.at)}</span>
                    <span class="sentence">{sentence(&event, &changed)}</span>
                    <code class="muted">{event.action.clone()}</code>
                    <span class="muted">{format!("revision {}", event.revision)}</span>
                </summary>
                {(unchanged > 0).then(|| view! {
                    <p class="muted">{format!("Only what changed is shown ({unchanged} other fields kept their values).")}</p>
                })}
                <table class="diff">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(field, before, after, change)| view! {
                            <tr class=change>
                                <th scope="row">{field}</th>
                                <td class="before"><pre>{before}</pre></td>
                                <td class="after"><pre>{after}</pre></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </li>
    }
}

fn pretty(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// Field by field: (field, before, after, `added` / `removed` / `changed` / `same`).
fn diff(
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<(String, String, String, &'static str)> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let (old, new) = (b.get(key), a.get(key));
            let change = match (old, new) {
                (None, Some(_)) => "added",
                (Some(_), None) => "removed",
                (Some(x), Some(y)) if x != y => "changed",
                _ => "same",
            };
            (key.clone(), pretty(old), pretty(new), change)
        })
        .collect()
}
