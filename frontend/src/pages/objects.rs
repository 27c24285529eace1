//! Roles, groups, resource configs and users: their lists and editors.

use leptos::prelude::*;
use portcullis_api::{
    Group, GroupIn, PermissionEntry, Record, Resource, ResourceIn, Role, RoleIn, User, UserIn,
    UserStatus,
};

use super::editor::{Editor, EditorFrame, IdFrom, NEW, ObjectList, TextArea, TextField, fill_from};
use crate::api::{self};
use crate::pick::{Pick, Suggest};
use crate::ui::{FieldErrors, split_list, when};

fn id_link(base: &str, section: &str, id: &str) -> AnyView {
    view! { <a href=format!("{base}/{section}/{}", api::enc(id))>{id.to_owned()}</a> }.into_any()
}

/// A typed-in id: `None` (the server makes one) when left empty or for an existing object,
/// whose id is in the path.
pub(super) fn new_id<T: api::Object>(editor: Editor<T>, typed: RwSignal<String>) -> Option<String> {
    let typed = typed.get_untracked();
    (editor.is_new() && !typed.trim().is_empty()).then(|| typed.trim().to_owned())
}

/// A typed-in optional text: `None` when blank.
fn optional(typed: RwSignal<String>) -> Option<String> {
    let typed = typed.get_untracked();
    (!typed.trim().is_empty()).then(|| typed.trim().to_owned())
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
            new_label="New role"
            columns=&["Role", "Name", "Permissions", "Updated"]
            row=|role: &Role, base| {
                let permissions = role
                    .permissions
                    .iter()
                    .map(|e| e.action.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    <td>{id_link(base, "roles", &role.role_id)}</td>
                    <td>{role.name.clone()}</td>
                    <td class="wrap">{permissions}</td>
                    <td>{when(&role.updated_at)}</td>
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
    fn new(key: usize, entry: &PermissionEntry) -> Self {
        Self {
            key,
            action: RwSignal::new(entry.action.clone()),
            allow: RwSignal::new(entry.allow),
            grant: RwSignal::new(entry.grant),
            delegate: RwSignal::new(entry.delegate),
        }
    }

    fn entry(&self) -> PermissionEntry {
        PermissionEntry {
            action: self.action.get_untracked().trim().to_owned(),
            allow: self.allow.get_untracked(),
            grant: self.grant.get_untracked(),
            delegate: self.delegate.get_untracked(),
        }
    }
}

/// Creates and edits a role: its permission entries with allow, grant and delegate.
#[component]
pub fn RoleEditor() -> impl IntoView {
    let editor = Editor::<Role>::new(IdFrom::Path);
    let role_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let rows = RwSignal::new(Vec::<PermissionRow>::new());
    let next_key = StoredValue::new(0usize);
    let add_row = move |entry: &PermissionEntry| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| rows.push(PermissionRow::new(key, entry)));
    };
    fill_from(editor, move |role: &Role| {
        role_id.set(role.role_id.clone());
        name.set(role.name.clone());
        description.set(role.description.clone());
        rows.set(Vec::new());
        for entry in &role.permissions {
            add_row(entry);
        }
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let body = RoleIn {
            role_id: new_id(editor, role_id),
            name: name.get_untracked(),
            description: description.get_untracked(),
            permissions: rows
                .with_untracked(|rows| rows.iter().map(PermissionRow::entry).collect()),
            ..RoleIn::default()
        };
        editor.save(body, |base, id| format!("{base}/roles/{}", api::enc(id)));
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
                    <button
                        type="button"
                        on:click=move |_| add_row(&PermissionEntry { action: String::new(), allow: true, grant: false, delegate: false })
                    >
                        "Add permission"
                    </button>
                </Show>
            </fieldset>
        </EditorFrame>
        <Show when=move || !editor.is_new()>
            <RecordsNaming
                label="used by"
                title="Used by"
                filter="role"
                value=Signal::derive(move || editor.id.get())
                empty="No access record gives this role: it can be deleted."
            />
        </Show>
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
                <Suggest pick=Pick::Actions value=row.action/>
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
            new_label="New group"
            columns=&["Group", "Name", "Members", "Updated"]
            row=|group: &Group, base| {
                view! {
                    <td>{id_link(base, "groups", &group.group_id)}</td>
                    <td>{group.name.clone()}</td>
                    <td>{group.users.len()}</td>
                    <td>{when(&group.updated_at)}</td>
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
    let editor = Editor::<Group>::new(IdFrom::Path);
    let group_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let users = RwSignal::new(String::new());
    fill_from(editor, move |group: &Group| {
        group_id.set(group.group_id.clone());
        name.set(group.name.clone());
        description.set(group.description.clone());
        users.set(group.users.join("\n"));
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let body = GroupIn {
            group_id: new_id(editor, group_id),
            name: name.get_untracked(),
            description: description.get_untracked(),
            users: split_list(&users.get_untracked()),
            ..GroupIn::default()
        };
        editor.save(body, |base, id| format!("{base}/groups/{}", api::enc(id)));
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
            <Suggest pick=Pick::Users value=users separator="\n"/>
        </EditorFrame>
    }
}

/// The resource configs of the tenant.
#[component]
pub fn ResourceList() -> impl IntoView {
    view! {
        <ObjectList
            title="Resources"
            new_label="New resource"
            columns=&["Resource", "Name", "Description", "Updated"]
            row=|resource: &Resource, base| {
                let uri = resource.resource_uri.clone();
                view! {
                    <td>
                        <a href=format!("{base}/resource{}", api::query(&[("uri", &uri)]))>{uri.clone()}</a>
                    </td>
                    <td>{resource.name.clone()}</td>
                    <td class="wrap">{resource.description.clone()}</td>
                    <td>{when(&resource.updated_at)}</td>
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
    let editor = Editor::<Resource>::new(IdFrom::Query("uri"));
    let uri = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    fill_from(editor, move |resource: &Resource| {
        uri.set(resource.resource_uri.clone());
        name.set(resource.name.clone());
        description.set(resource.description.clone());
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let body = ResourceIn {
            resource_uri: editor
                .is_new()
                .then(|| uri.get_untracked().trim().to_owned()),
            name: name.get_untracked(),
            description: description.get_untracked(),
            // Kept as loaded: the form does not show it.
            metadata: editor
                .original
                .with_untracked(|r| r.as_ref().and_then(|r| r.metadata.clone())),
            ..ResourceIn::default()
        };
        editor.save(body, |base, id| {
            format!("{base}/resource{}", api::query(&[("uri", id)]))
        });
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
            new_label="New user"
            columns=&["User", "Name", "Email", "Status", "Updated"]
            row=|user: &User, base| {
                let status = user.status.as_str();
                view! {
                    <td>{id_link(base, "users", &user.user_id)}</td>
                    <td>{user.name.clone()}</td>
                    <td>{user.email.clone()}</td>
                    <td><span class=format!("badge status-{status}")>{status}</span></td>
                    <td>{when(&user.updated_at)}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/users/{NEW}")
            empty="No users yet. Users named in records and groups appear here by themselves."
        />
    }
}

/// Creates and edits a user: name, email, suspension (with its reason, which the audit log
/// keeps with the change), and "sign out everywhere" (`tokensNotBefore`: identity tokens
/// issued before it are refused). A save keeps the user's `tokensNotBefore` unless the
/// box is ticked, which sets it to the moment of the save.
#[component]
pub fn UserEditor() -> impl IntoView {
    let editor = Editor::<User>::new(IdFrom::Path);
    let user_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let suspended = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let tokens_not_before = RwSignal::new(None::<String>);
    let sign_out = RwSignal::new(false);
    fill_from(editor, move |user: &User| {
        tokens_not_before.set(user.tokens_not_before.clone());
        sign_out.set(false);
        user_id.set(user.user_id.clone());
        name.set(user.name.clone().unwrap_or_default());
        email.set(user.email.clone().unwrap_or_default());
        suspended.set(user.status == UserStatus::Suspended);
        reason.set(user.status_reason.clone().unwrap_or_default());
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let body = UserIn {
            user_id: editor
                .is_new()
                .then(|| user_id.get_untracked().trim().to_owned()),
            name: optional(name),
            email: optional(email),
            status: if suspended.get_untracked() {
                UserStatus::Suspended
            } else {
                UserStatus::Active
            },
            status_reason: optional(reason),
            tokens_not_before: if sign_out.get_untracked() {
                crate::ui::now()
            } else {
                tokens_not_before.get_untracked()
            },
            ..UserIn::default()
        };
        editor.save(body, |base, id| format!("{base}/users/{}", api::enc(id)));
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
            <div class="field checkbox">
                <input id="field-suspended" type="checkbox" bind:checked=suspended/>
                <label for="field-suspended">"Suspended (every decision for this user is a deny, from the next request on)"</label>
                <FieldErrors errors field="status"/>
            </div>
            <TextField label="Reason for the status" field="statusReason" value=reason errors hint="Kept with the change in the audit log."/>
            <div class="field checkbox">
                <input id="field-sign-out" type="checkbox" bind:checked=sign_out/>
                <label for="field-sign-out">"Sign out everywhere on save (refuse every identity token issued before the save)"</label>
                <FieldErrors errors field="tokensNotBefore"/>
            </div>
            {move || tokens_not_before.get().map(|at| view! {
                <p class="hint" data-testid="tokens-not-before">"Identity tokens issued before " {crate::ui::when(&at)} " are refused."</p>
            })}
            <Show when=move || !is_new.get()>
                <p><a href=explore>"Open this user in the access explorer"</a></p>
            </Show>
        </EditorFrame>
        <Show when=move || !is_new.get()>
            <UserAccess user=Signal::derive(move || editor.id.get())/>
        </Show>
    }
}

/// The access records a list filter selects (`?role=viewer`: the records giving a role), the
/// first page of them, each with its state and what it gives.
#[component]
pub fn RecordsNaming(
    /// The section's accessible name.
    label: &'static str,
    title: &'static str,
    /// `user`, `group`, `role` or `resource`.
    filter: &'static str,
    #[prop(into)] value: Signal<String>,
    empty: &'static str,
) -> impl IntoView {
    let tenant = crate::ui::use_tenant();
    let records = LocalResource::new(move || {
        let (tenant, value) = (tenant.get(), value.get());
        let query = api::query(&[(filter, &value), ("limit", &USER_ACCESS_PAGE.to_string())]);
        async move {
            api::get::<api::Page<Record>>(api::tenant_path(&tenant, &format!("/records{query}")))
                .await
        }
    });
    view! {
        <section aria-label=label>
            <h2>{title}</h2>
            {move || records.get().map(|answer| match answer {
                Err(problem) => view! { <crate::ui::ErrorBox problem/> }.into_any(),
                Ok(page) if page.items.is_empty() => view! { <p class="empty">{empty}</p> }.into_any(),
                Ok(page) => {
                    let base = format!("/console/t/{}", api::enc(&tenant.get()));
                    let rows: Vec<(Record, String)> = page.items.into_iter().map(|r| (r, String::new())).collect();
                    view! {
                        {records_table(&base, &rows, false)}
                        {page.next_cursor.is_some().then(|| view! { <p class="muted">{format!("The first {USER_ACCESS_PAGE} are shown.")}</p> })}
                    }
                    .into_any()
                }
            })}
        </section>
    }
}

/// A table of records: id, name, (how each reaches a user, when `through`), state, and
/// what it gives.
fn records_table(base: &str, records: &[(Record, String)], through: bool) -> AnyView {
    view! {
        <table>
            <thead><tr>
                <th scope="col">"Record"</th><th scope="col">"Name"</th>
                {through.then(|| view! { <th scope="col">"Through"</th> })}
                <th scope="col">"Status"</th><th scope="col">"Gives"</th>
            </tr></thead>
            <tbody>
                {records.iter().map(|(record, how)| {
                    let status = record.status.as_str();
                    view! {
                        <tr>
                            <td>{id_link(base, "records", &record.record_id)}</td>
                            <td>{record.name.clone()}</td>
                            {through.then(|| view! { <td>{how.clone()}</td> })}
                            <td><span class=format!("badge status-{status}")>{status}</span></td>
                            <td>{gives(record)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// What a record gives, in a line: `viewer, editor on /docs; owner on /drafts`.
pub fn gives(record: &Record) -> String {
    record
        .statements
        .iter()
        .map(|s| format!("{} on {}", s.roles.join(", "), s.resources.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// How many of a user's groups, and of the records reaching them, [`UserAccess`] shows.
const USER_ACCESS_PAGE: usize = 100;

/// What reaches a user: the groups they are in, and the access records that name them,
/// directly or through one of those groups, each with its state. Records are what give a
/// user anything; the explorer answers what they give on a resource.
#[component]
pub fn UserAccess(#[prop(into)] user: Signal<String>) -> impl IntoView {
    let tenant = crate::ui::use_tenant();
    let access = LocalResource::new(move || {
        let (tenant, user) = (tenant.get(), user.get());
        async move { user_access(&tenant, &user).await }
    });
    view! {
        <section aria-label="what reaches this user">
            <h2>{move || format!("What reaches {}", user.get())}</h2>
            {move || access.get().map(|answer| match answer {
                Err(problem) => view! { <crate::ui::ErrorBox problem/> }.into_any(),
                Ok(found) => found.view(&tenant.get()),
            })}
        </section>
    }
}

/// A user's groups and the records reaching them.
#[derive(Clone)]
struct Reach {
    groups: Vec<Group>,
    more_groups: bool,
    /// Each record once, with how it reaches the user: `directly` or `group g`.
    records: Vec<(Record, String)>,
    more_records: bool,
}

async fn user_access(tenant: &str, user: &str) -> Result<Reach, api::Problem> {
    let page = |kind: &str, filter: &str, value: &str| {
        let query = api::query(&[(filter, value), ("limit", &USER_ACCESS_PAGE.to_string())]);
        api::tenant_path(tenant, &format!("/{kind}{query}"))
    };
    let groups = api::get::<api::Page<Group>>(page("groups", "user", user)).await?;
    let direct = api::get::<api::Page<Record>>(page("records", "user", user)).await?;
    let mut more_records = direct.next_cursor.is_some();
    let mut records: Vec<(Record, String)> = direct
        .items
        .into_iter()
        .map(|r| (r, "directly".to_owned()))
        .collect();
    for group in &groups.items {
        let through =
            api::get::<api::Page<Record>>(page("records", "group", &group.group_id)).await?;
        more_records |= through.next_cursor.is_some();
        for record in through.items {
            if !records.iter().any(|(r, _)| r.record_id == record.record_id) {
                records.push((record, format!("group {}", group.group_id)));
            }
        }
    }
    records.sort_by(|a, b| a.0.record_id.cmp(&b.0.record_id));
    Ok(Reach {
        more_groups: groups.next_cursor.is_some(),
        groups: groups.items,
        records,
        more_records,
    })
}

impl Reach {
    fn view(self, tenant: &str) -> AnyView {
        let base = format!("/console/t/{}", api::enc(tenant));
        let more = |more: bool| {
            more.then(|| view! { <p class="muted">{format!("The first {USER_ACCESS_PAGE} are shown.")}</p> })
        };
        let groups = if self.groups.is_empty() {
            view! { <p class="empty">"In no group."</p> }.into_any()
        } else {
            view! {
                <p>"Member of: "
                    {self.groups.iter().map(|g| view! {
                        <span class="through">{id_link(&base, "groups", &g.group_id)}" "{g.name.clone()}</span>
                    }).collect_view()}
                </p>
            }
            .into_any()
        };
        let records = if self.records.is_empty() {
            view! { <p class="empty">"No access record names this user or one of their groups: they hold nothing."</p> }.into_any()
        } else {
            records_table(&base, &self.records, true)
        };
        view! {
            <h3>"Groups"</h3>
            {groups}
            {more(self.more_groups)}
            <h3>"Access records"</h3>
            {records}
            {more(self.more_records)}
        }
        .into_any()
    }
}
