//! Access records: who (users, groups) gets which roles on which resources, until when.

use leptos::prelude::*;
use serde_json::{Value, json};

use super::editor::{Editor, EditorFrame, IdFrom, NEW, ObjectList, TextArea, TextField, fill_from};
use crate::api;
use crate::ui::{FieldErrors, join_lines, split_list, text, when};

/// The access records of the tenant.
#[component]
pub fn RecordList() -> impl IntoView {
    view! {
        <ObjectList
            title="Access records"
            section="records"
            new_label="New record"
            columns=&["Record", "Name", "Who", "Status", "Expires"]
            row=|record, base| {
                let id = record["recordId"].as_str().unwrap_or_default();
                let users = record["users"].as_array().map(Vec::len).unwrap_or_default();
                let groups = record["groups"].as_array().map(Vec::len).unwrap_or_default();
                let status = text(&record["status"]);
                view! {
                    <td><a href=format!("{base}/records/{}", api::enc(id))>{id.to_owned()}</a></td>
                    <td>{text(&record["name"])}</td>
                    <td>{format!("{users} users, {groups} groups")}</td>
                    <td><span class=format!("badge status-{status}")>{status.clone()}</span></td>
                    <td>{if record["expiresAt"].is_null() { "never".to_owned() } else { when(&record["expiresAt"]) }}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/records/{NEW}")
            empty="No access records yet. A record gives roles on resources to users and groups."
        />
    }
}

#[derive(Debug, Clone, Copy)]
struct StatementRow {
    key: usize,
    roles: RwSignal<String>,
    resources: RwSignal<String>,
}

fn words(value: &Value) -> String {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// `2026-12-31T23:59:00Z` as the value of a `datetime-local` input read as UTC.
fn to_input(value: &Value) -> String {
    value
        .as_str()
        .map(|s| s.chars().take(16).collect())
        .unwrap_or_default()
}

/// A `datetime-local` value (read as UTC) as RFC 3339; `null` when empty.
fn from_input(value: &str) -> Value {
    let value = value.trim();
    if value.is_empty() {
        Value::Null
    } else if value.len() == 16 {
        json!(format!("{value}:00Z"))
    } else {
        json!(format!("{value}Z"))
    }
}

/// Creates and edits an access record.
#[component]
pub fn RecordEditor() -> impl IntoView {
    let editor = Editor::new("records", IdFrom::Path);
    let record_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let users = RwSignal::new(String::new());
    let groups = RwSignal::new(String::new());
    let disabled = RwSignal::new(false);
    let expires = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<StatementRow>::new());
    let next_key = StoredValue::new(0usize);
    let add_row = move |roles: String, resources: String| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| {
            rows.push(StatementRow {
                key,
                roles: RwSignal::new(roles),
                resources: RwSignal::new(resources),
            })
        });
    };
    fill_from(editor, move |record| {
        record_id.set(text(&record["recordId"]));
        name.set(text(&record["name"]));
        description.set(text(&record["description"]));
        users.set(join_lines(&record["users"]));
        groups.set(join_lines(&record["groups"]));
        disabled.set(record["status"] == "disabled");
        expires.set(to_input(&record["expiresAt"]));
        rows.set(Vec::new());
        for statement in record["statements"].as_array().into_iter().flatten() {
            add_row(words(&statement["roles"]), words(&statement["resources"]));
        }
    });
    if editor.id.get_untracked().is_empty() {
        add_row(String::new(), String::new());
    }
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let statements: Vec<Value> = rows.with_untracked(|rows| {
            rows.iter()
                .map(|r| {
                    json!({"roles": split_list(&r.roles.get_untracked()),
                           "resources": split_list(&r.resources.get_untracked())})
                })
                .collect()
        });
        let mut fields = json!({
            "name": name.get_untracked(),
            "description": description.get_untracked(),
            "users": split_list(&users.get_untracked()),
            "groups": split_list(&groups.get_untracked()),
            "status": if disabled.get_untracked() { "disabled" } else { "active" },
            "expiresAt": from_input(&expires.get_untracked()),
            "statements": statements,
        });
        let id = record_id.get_untracked();
        if editor.is_new() && !id.trim().is_empty() {
            fields["recordId"] = json!(id.trim());
        }
        let mut body = super::objects::merged(editor.original.get_untracked(), fields);
        // No expiry is said by leaving the field out.
        if body["expiresAt"].is_null()
            && let Some(map) = body.as_object_mut()
        {
            map.remove("expiresAt");
        }
        editor.save(body, "recordId", |base, id| {
            format!("{base}/records/{}", api::enc(id))
        });
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Record" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="Record id" field="recordId" value=record_id errors hint="Optional; generated when left empty."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Description" field="description" value=description errors/>
            <div class="two-columns">
                <TextArea label="Users (ids, one per line)" field="users" value=users errors/>
                <TextArea label="Groups (ids, one per line)" field="groups" value=groups errors/>
            </div>
            <fieldset class="rows">
                <legend>"Statements: roles on resources"</legend>
                <p class="hint">
                    "Each statement gives every role listed on every resource listed (and everything below it). Separate items with commas."
                </p>
                <FieldErrors errors field="statements" exact=true/>
                <For each=move || rows.get() key=|row| row.key let:row>
                    <StatementRowView row rows errors/>
                </For>
                <Show when=move || editor.can_write.get()>
                    <button type="button" on:click=move |_| add_row(String::new(), String::new())>
                        "Add statement"
                    </button>
                </Show>
            </fieldset>
            <div class="two-columns">
                <div class="field">
                    <label for="field-expiresAt">"Expires at (UTC; empty: never)"</label>
                    <input id="field-expiresAt" type="datetime-local" bind:value=expires/>
                    <FieldErrors errors field="expiresAt"/>
                </div>
                <div class="field checkbox">
                    <input id="field-disabled" type="checkbox" bind:checked=disabled/>
                    <label for="field-disabled">"Disabled (grants nothing while disabled)"</label>
                    <FieldErrors errors field="status"/>
                </div>
            </div>
        </EditorFrame>
    }
}

#[component]
fn StatementRowView(
    row: StatementRow,
    rows: RwSignal<Vec<StatementRow>>,
    errors: RwSignal<Vec<api::FieldError>>,
) -> impl IntoView {
    let index = move || {
        rows.with(|rows| rows.iter().position(|r| r.key == row.key))
            .unwrap_or_default()
    };
    let roles_field = Signal::derive(move || format!("statements[{}].roles", index()));
    let resources_field = Signal::derive(move || format!("statements[{}].resources", index()));
    view! {
        <div class="statement">
            <div class="field">
                <label>
                    {move || format!("Roles of statement {}", index() + 1)}
                    <input class="roles-input" placeholder="editor, viewer" bind:value=row.roles/>
                </label>
                <FieldErrors errors field=roles_field/>
            </div>
            <div class="field">
                <label>
                    {move || format!("Resources of statement {}", index() + 1)}
                    <input class="resources-input" placeholder="/orgs/acme/documents" bind:value=row.resources/>
                </label>
                <FieldErrors errors field=resources_field/>
            </div>
            <button
                type="button"
                class="quiet"
                on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))
            >
                "Remove statement"
            </button>
        </div>
    }
}
