//! Roles, groups, resource configs and users: their lists and editors.

use leptos::prelude::*;
use serde_json::{Value, json};

use super::editor::{Editor, EditorFrame, IdFrom, NEW, ObjectList, TextArea, TextField, fill_from};
use crate::api::{self};
use crate::ui::{FieldErrors, join_lines, split_list, text, when};

fn id_link(base: &str, section: &str, id: &str) -> AnyView {
    view! { <a href=format!("{base}/{section}/{}", api::enc(id))>{id.to_owned()}</a> }.into_any()
}

fn set_text(signal: RwSignal<String>, value: &Value) {
    signal.set(text(value));
}

/// Puts `fields` into the loaded object (so fields the form does not show survive).
pub(super) fn merged(original: Value, fields: Value) -> Value {
    let mut body = match original {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    for key in ["createdAt", "updatedAt", "revision"] {
        body.remove(key);
    }
    if let Value::Object(fields) = fields {
        body.extend(fields);
    }
    Value::Object(body)
}

/// Whether `action` is a permission the API accepts: `:`-separated segments, each `*` or
/// letters, digits, `_`, `.` and `-`; at most 128 characters.
fn action_problem(action: &str) -> Option<&'static str> {
    if action.is_empty() {
        return Some("must not be empty");
    }
    if action.chars().count() > 128 {
        return Some("must be at most 128 characters");
    }
    let valid = action.split(':').all(|segment| {
        segment == "*"
            || (!segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    });
    (!valid).then_some("use `:`-separated words or `*`, such as `documents:read` or `documents:*`")
}

/// The roles of the tenant.
#[component]
pub fn RoleList() -> impl IntoView {
    view! {
        <ObjectList
            title="Roles"
            section="roles"
            new_label="New role"
            columns=&["Role", "Name", "Permissions", "Updated"]
            row=|role, base| {
                let id = role["roleId"].as_str().unwrap_or_default();
                let permissions = role["permissions"]
                    .as_array()
                    .map(|p| p.iter().filter_map(|e| e["action"].as_str()).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                view! {
                    <td>{id_link(base, "roles", id)}</td>
                    <td>{text(&role["name"])}</td>
                    <td class="wrap">{permissions}</td>
                    <td>{when(&role["updatedAt"])}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/roles/{NEW}")
            empty="No roles yet. A role is a named set of permissions, such as `documents:read`."
        />
    }
}

#[derive(Debug, Clone, Copy)]
struct PermissionRow {
    key: usize,
    action: RwSignal<String>,
    allow: RwSignal<bool>,
    grant: RwSignal<bool>,
    delegate: RwSignal<bool>,
}

impl PermissionRow {
    fn new(key: usize, entry: &Value) -> Self {
        Self {
            key,
            action: RwSignal::new(text(&entry["action"])),
            allow: RwSignal::new(entry["allow"].as_bool().unwrap_or(true)),
            grant: RwSignal::new(entry["grant"].as_bool().unwrap_or(false)),
            delegate: RwSignal::new(entry["delegate"].as_bool().unwrap_or(false)),
        }
    }
}

/// Creates and edits a role: its permission entries with allow, grant and delegate.
#[component]
pub fn RoleEditor() -> impl IntoView {
    let editor = Editor::new("roles", IdFrom::Path);
    let role_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<PermissionRow>::new());
    let next_key = StoredValue::new(0usize);
    let add_row = move |entry: &Value| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(PermissionRow::new(key, entry)));
    };
    fill_from(editor, move |role| {
        set_text(role_id, &role["roleId"]);
        set_text(name, &role["name"]);
        set_text(description, &role["description"]);
        rows.set(Vec::new());
        for entry in role["permissions"].as_array().into_iter().flatten() {
            add_row(entry);
        }
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let permissions: Vec<Value> = rows.with_untracked(|rows| {
            rows.iter()
                .map(|r| {
                    json!({"action": r.action.get_untracked().trim(), "allow": r.allow.get_untracked(),
                           "grant": r.grant.get_untracked(), "delegate": r.delegate.get_untracked()})
                })
                .collect()
        });
        let mut fields = json!({"name": name.get_untracked(), "description": description.get_untracked(),
                                "permissions": permissions});
        let id = role_id.get_untracked();
        if editor.is_new() && !id.trim().is_empty() {
            fields["roleId"] = json!(id.trim());
        }
        editor.save(
            merged(editor.original.get_untracked(), fields),
            "roleId",
            |base, id| format!("{base}/roles/{}", api::enc(id)),
        );
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Role" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="Role id" field="roleId" value=role_id errors hint="Optional: letters, digits, `_`, `.`, `:`, `-`. Generated when left empty."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Description" field="description" value=description errors/>
            <fieldset class="rows">
                <legend>"Permissions"</legend>
                <p class="hint">
                    "Allow: holders may do it. Grant: holders may give it to others. Delegate: holders may let others grant it."
                </p>
                <FieldErrors errors field="permissions" exact=true/>
                <table class="grid">
                    <thead>
                        <tr>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Allow"</th>
                            <th scope="col">"Grant"</th>
                            <th scope="col">"Delegate"</th>
                            <th scope="col"><span class="visually-hidden">"Remove"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get() key=|row| row.key let:row>
                            <PermissionRowView row rows errors/>
                        </For>
                    </tbody>
                </table>
                <Show when=move || editor.can_write.get()>
                    <button type="button" on:click=move |_| add_row(&json!({"action": ""}))>
                        "Add permission"
                    </button>
                </Show>
            </fieldset>
        </EditorFrame>
    }
}

#[component]
fn PermissionRowView(
    row: PermissionRow,
    rows: RwSignal<Vec<PermissionRow>>,
    errors: RwSignal<Vec<api::FieldError>>,
) -> impl IntoView {
    let index = move || {
        rows.with(|rows| rows.iter().position(|r| r.key == row.key))
            .unwrap_or_default()
    };
    let field = Signal::derive(move || format!("permissions[{}]", index()));
    let action_field = Signal::derive(move || format!("permissions[{}].action", index()));
    let inline = move || {
        let action = row.action.get();
        // Say it as it is typed, but not before anything is typed.
        (!action.is_empty())
            .then(|| action_problem(action.trim()))
            .flatten()
    };
    let label = move || format!("Action of permission {}", index() + 1);
    view! {
        <tr>
            <td>
                <input
                    aria-label=label
                    class="action-input"
                    placeholder="documents:read"
                    bind:value=row.action
                    aria-invalid=move || inline().is_some().to_string()
                />
                {move || inline().map(|m| view! { <p class="field-error inline">{m}</p> })}
                <FieldErrors errors field=action_field/>
                <FieldErrors errors field=field exact=true/>
            </td>
            <td>
                <label>
                    <input type="checkbox" aria-label="Allow" bind:checked=row.allow/>
                    <span class="cell-label">"Allow"</span>
                </label>
            </td>
            <td>
                <label>
                    <input type="checkbox" aria-label="Grant" bind:checked=row.grant/>
                    <span class="cell-label">"Grant"</span>
                </label>
            </td>
            <td>
                <label>
                    <input type="checkbox" aria-label="Delegate" bind:checked=row.delegate/>
                    <span class="cell-label">"Delegate"</span>
                </label>
            </td>
            <td>
                <button
                    type="button"
                    class="quiet"
                    aria-label="Remove permission"
                    on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}

/// The groups of the tenant.
#[component]
pub fn GroupList() -> impl IntoView {
    view! {
        <ObjectList
            title="Groups"
            section="groups"
            new_label="New group"
            columns=&["Group", "Name", "Members", "Updated"]
            row=|group, base| {
                let id = group["groupId"].as_str().unwrap_or_default();
                let count = group["users"].as_array().map(Vec::len).unwrap_or_default();
                view! {
                    <td>{id_link(base, "groups", id)}</td>
                    <td>{text(&group["name"])}</td>
                    <td>{count}</td>
                    <td>{when(&group["updatedAt"])}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/groups/{NEW}")
            empty="No groups yet. A group gives its members what records give the group."
        />
    }
}

/// Creates and edits a group and its members.
#[component]
pub fn GroupEditor() -> impl IntoView {
    let editor = Editor::new("groups", IdFrom::Path);
    let group_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let users = RwSignal::new(String::new());
    fill_from(editor, move |group| {
        set_text(group_id, &group["groupId"]);
        set_text(name, &group["name"]);
        set_text(description, &group["description"]);
        users.set(join_lines(&group["users"]));
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let mut fields = json!({"name": name.get_untracked(), "description": description.get_untracked(),
                                "users": split_list(&users.get_untracked())});
        let id = group_id.get_untracked();
        if editor.is_new() && !id.trim().is_empty() {
            fields["groupId"] = json!(id.trim());
        }
        editor.save(
            merged(editor.original.get_untracked(), fields),
            "groupId",
            |base, id| format!("{base}/groups/{}", api::enc(id)),
        );
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Group" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="Group id" field="groupId" value=group_id errors hint="Optional; generated when left empty."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Description" field="description" value=description errors/>
            <TextArea label="Members (user ids, one per line)" field="users" value=users errors/>
        </EditorFrame>
    }
}

/// The resource configs of the tenant.
#[component]
pub fn ResourceList() -> impl IntoView {
    view! {
        <ObjectList
            title="Resources"
            section="resources"
            new_label="New resource"
            columns=&["Resource", "Name", "Description", "Updated"]
            row=|resource, base| {
                let uri = resource["resourceUri"].as_str().unwrap_or_default();
                view! {
                    <td>
                        <a href=format!("{base}/resource{}", api::query(&[("uri", uri)]))>{uri.to_owned()}</a>
                    </td>
                    <td>{text(&resource["name"])}</td>
                    <td class="wrap">{text(&resource["description"])}</td>
                    <td>{when(&resource["updatedAt"])}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/resource")
            empty="No resources registered. Registering gives a resource URI a name and a description; checks work without it."
        />
    }
}

/// Registers and edits a resource config.
#[component]
pub fn ResourceEditor() -> impl IntoView {
    let editor = Editor::new("resources", IdFrom::Query("uri"));
    let uri = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    fill_from(editor, move |resource| {
        set_text(uri, &resource["resourceUri"]);
        set_text(name, &resource["name"]);
        set_text(description, &resource["description"]);
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let mut fields =
            json!({"name": name.get_untracked(), "description": description.get_untracked()});
        if editor.is_new() {
            fields["resourceUri"] = json!(uri.get_untracked().trim());
        }
        editor.save(
            merged(editor.original.get_untracked(), fields),
            "resourceUri",
            |base, id| format!("{base}/resource{}", api::query(&[("uri", id)])),
        );
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Resource" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="Resource URI" field="resourceUri" value=uri errors hint="A path such as /orgs/acme/documents."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Description" field="description" value=description errors/>
        </EditorFrame>
    }
}

/// The users of the tenant.
#[component]
pub fn UserList() -> impl IntoView {
    view! {
        <ObjectList
            title="Users"
            section="users"
            new_label="New user"
            columns=&["User", "Name", "Email", "Updated"]
            row=|user, base| {
                let id = user["userId"].as_str().unwrap_or_default();
                view! {
                    <td>{id_link(base, "users", id)}</td>
                    <td>{text(&user["name"])}</td>
                    <td>{text(&user["email"])}</td>
                    <td>{when(&user["updatedAt"])}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/users/{NEW}")
            empty="No users yet. Users named in records and groups appear here by themselves."
        />
    }
}

/// Creates and edits a user's name and email.
#[component]
pub fn UserEditor() -> impl IntoView {
    let editor = Editor::new("users", IdFrom::Path);
    let user_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    fill_from(editor, move |user| {
        set_text(user_id, &user["userId"]);
        set_text(name, &user["name"]);
        set_text(email, &user["email"]);
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let optional = |s: String| {
            if s.trim().is_empty() {
                Value::Null
            } else {
                json!(s.trim())
            }
        };
        let mut fields = json!({"name": optional(name.get_untracked()), "email": optional(email.get_untracked())});
        if editor.is_new() {
            fields["userId"] = json!(user_id.get_untracked().trim());
        }
        editor.save(
            merged(editor.original.get_untracked(), fields),
            "userId",
            |base, id| format!("{base}/users/{}", api::enc(id)),
        );
    });
    let is_new = Signal::derive(move || editor.is_new());
    let explore = move || {
        format!(
            "/console/t/{}/explorer{}",
            api::enc(&editor.tenant.get()),
            api::query(&[("user", &editor.id.get())])
        )
    };
    view! {
        <EditorFrame editor noun="User" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="User id" field="userId" value=user_id errors hint="The `sub` of the user's token."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Email" field="email" value=email errors/>
            <Show when=move || !is_new.get()>
                <p><a href=explore>"See what this user can reach"</a></p>
            </Show>
        </EditorFrame>
    }
}
