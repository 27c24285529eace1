//! Access records: who (users, groups) gets which roles on which resources, until when.

use leptos::prelude::*;
use portcullis_api::{Record, RecordIn, RecordStatus, Statement};

use super::editor::{Editor, EditorFrame, IdFrom, NEW, ObjectList, TextArea, TextField, fill_from};
use super::objects::new_id;
use crate::api;
use crate::pick::{Pick, Suggest};
use crate::ui::{FieldErrors, now, split_list, when};

/// The access records of the tenant.
/// Whom a record names, in a line: the first few users and groups, then how many more.
fn who(record: &Record) -> String {
    const SHOWN: usize = 3;
    let names: Vec<String> = record
        .users
        .iter()
        .map(|u| format!("user {u}"))
        .chain(record.groups.iter().map(|g| format!("group {g}")))
        .collect();
    if names.is_empty() {
        return "nobody".to_owned();
    }
    let more = names.len().saturating_sub(SHOWN);
    let mut line = names[..names.len().min(SHOWN)].join(", ");
    if more > 0 {
        line.push_str(&format!(" and {more} more"));
    }
    line
}

#[component]
pub fn RecordList() -> impl IntoView {
    view! {
        <ObjectList
            title="Access records"
            new_label="New record"
            columns=&["Record", "Name", "Who", "Gives", "Status", "Expires"]
            row=|record: &Record, base| {
                let id = &record.record_id;
                // A record past its expiry is active but grants nothing: say so.
                let expired = record
                    .expires_at
                    .as_deref()
                    .zip(now())
                    .is_some_and(|(at, now)| at <= now.as_str());
                let status = if expired && record.status == RecordStatus::Active {
                    "expired"
                } else {
                    record.status.as_str()
                };
                view! {
                    <td><a href=format!("{base}/records/{}", api::enc(id))>{id.clone()}</a></td>
                    <td>
                        {record.name.clone()}
                        {record.delegated_by.clone().map(|user| view! {
                            <span class="hint delegated">" made by user " {user}</span>
                        })}
                    </td>
                    <td>{who(record)}</td>
                    <td>{super::objects::gives(record)}</td>
                    <td><span class=format!("badge status-{status}")>{status}</span></td>
                    <td>{record.expires_at.as_deref().map_or_else(|| "never".to_owned(), when)}</td>
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

/// `2026-12-31T23:59:00Z` as the value of a `datetime-local` input read as UTC.
fn to_input(value: Option<&str>) -> String {
    value
        .map(|s| s.chars().take(16).collect())
        .unwrap_or_default()
}

/// Creates and edits an access record.
#[component]
pub fn RecordEditor() -> impl IntoView {
    let editor = Editor::<Record>::new(IdFrom::Path);
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
    fill_from(editor, move |record: &Record| {
        record_id.set(record.record_id.clone());
        name.set(record.name.clone());
        description.set(record.description.clone());
        users.set(record.users.join("\n"));
        groups.set(record.groups.join("\n"));
        disabled.set(record.status == RecordStatus::Disabled);
        expires.set(to_input(record.expires_at.as_deref()));
        rows.set(Vec::new());
        for statement in &record.statements {
            add_row(statement.roles.join(", "), statement.resources.join(", "));
        }
    });
    if editor.id.get_untracked().is_empty() {
        add_row(String::new(), String::new());
    }
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let statements = rows.with_untracked(|rows| {
            rows.iter()
                .map(|r| Statement {
                    roles: split_list(&r.roles.get_untracked()),
                    resources: split_list(&r.resources.get_untracked()),
                })
                .collect()
        });
        let body = RecordIn {
            record_id: new_id(editor, record_id),
            name: name.get_untracked(),
            description: description.get_untracked(),
            status: if disabled.get_untracked() {
                RecordStatus::Disabled
            } else {
                RecordStatus::Active
            },
            expires_at: crate::ui::from_datetime_input(&expires.get_untracked()),
            users: split_list(&users.get_untracked()),
            groups: split_list(&groups.get_untracked()),
            statements,
            // Kept as loaded: the form does not show them.
            tags: editor
                .original
                .with_untracked(|r| r.as_ref().map(|r| r.tags.clone()).unwrap_or_default()),
            ..RecordIn::default()
        };
        editor.save(body, |base, id| format!("{base}/records/{}", api::enc(id)));
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Record" on_save=save>
            {move || editor.original.with(|r| r.as_ref().and_then(|r| r.delegated_by.clone())).map(|user| view! {
                <p class="notice" data-testid="delegated-by">
                    "Made by user " <strong>{user}</strong> " through /me/records (giving what they may give). "
                    "Saving it here makes it a record of the tenant's admins, which the user can no longer delete."
                </p>
            })}
            <Show when=move || is_new.get()>
                <TextField label="Record id" field="recordId" value=record_id errors hint="Optional; generated when left empty."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Description" field="description" value=description errors/>
            <div class="two-columns">
                <div>
                    <TextArea label="Users (ids, one per line)" field="users" value=users errors/>
                    <Suggest pick=Pick::Users value=users separator="\n"/>
                </div>
                <div>
                    <TextArea label="Groups (ids, one per line)" field="groups" value=groups errors/>
                    <Suggest pick=Pick::Groups value=groups separator="\n"/>
                </div>
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
                    {move || {
                        let past = crate::ui::from_datetime_input(&expires.get())
                            .zip(now())
                            .is_some_and(|(at, now)| at.as_str() <= now.as_str());
                        past.then(|| view! {
                            <p class="warning" role="status">"This time has passed: the record grants nothing from then on."</p>
                        })
                    }}
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
                <Suggest pick=Pick::Roles value=row.roles separator=", "/>
                <FieldErrors errors field=roles_field/>
            </div>
            <div class="field">
                <label>
                    {move || format!("Resources of statement {}", index() + 1)}
                    <input class="resources-input" placeholder="/orgs/acme/documents" bind:value=row.resources/>
                </label>
                <Suggest pick=Pick::Resources value=row.resources separator=", "/>
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
