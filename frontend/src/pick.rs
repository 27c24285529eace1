//! Type-ahead for the fields that name a tenant's objects (roles, groups, users, resources),
//! the actions its roles name (`GET …/actions?q=`) and, for a platform admin adding a
//! member, console accounts (`GET /v1/accounts?q=`):
//! as the admin types an id, the ids that start with what is typed come from the API
//! (`GET …/{list}?q=…&limit=8`, a range of the primary key, so it costs the same in a tenant
//! of ten million objects), and a click completes it. When nothing starts with it, the
//! field says so at once, instead of a save finding the typo. In a field holding a list
//! (`editor, viewer` or one id per line) it is the item being typed, after the last
//! separator, that is looked up and completed.

use leptos::prelude::*;
use portcullis_api::{Account, ActionList, Group, Resource, Role, User};

use crate::api::{self, Object, Page};
use crate::ui::use_tenant;

/// How many suggestions a field shows.
const SUGGESTIONS: &str = "8";

/// What a field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    Roles,
    Groups,
    Users,
    Resources,
    /// The actions the tenant's roles name.
    Actions,
    /// Console accounts (platform admins only may list them).
    Accounts,
}

impl Pick {
    /// Singular, for people.
    fn noun(self) -> &'static str {
        match self {
            Pick::Roles => "role",
            Pick::Groups => "group",
            Pick::Users => "user",
            Pick::Resources => "resource",
            Pick::Actions => "action",
            Pick::Accounts => "account",
        }
    }

    /// What it means that nothing starts with what is typed. Roles and groups must exist
    /// before a record names them; users are registered by being named (so a new one is
    /// no mistake in an editor); any resource URI may be granted, registered or not.
    fn none_found(self, typed: &str) -> String {
        match self {
            Pick::Roles | Pick::Groups => format!(
                "No {} starts with “{typed}”: a record may only name {}s that exist.",
                self.noun(),
                self.noun()
            ),
            Pick::Users => {
                format!("No user starts with “{typed}”: no record or group names such a user yet.")
            }
            Pick::Resources => format!(
                "No registered resource starts with “{typed}” (any URI may still be granted)."
            ),
            Pick::Actions => format!("No role names an action that starts with “{typed}” yet."),
            Pick::Accounts => {
                format!("No account starts with “{typed}”: create the account first (Accounts).")
            }
        }
    }

    /// The API list it is picked from.
    fn section(self) -> &'static str {
        match self {
            Pick::Roles => Role::SECTION,
            Pick::Groups => Group::SECTION,
            Pick::Users => User::SECTION,
            Pick::Resources => Resource::SECTION,
            Pick::Actions => "actions",
            Pick::Accounts => "accounts",
        }
    }

    /// The ids of this kind in `tenant` that start with `typed`.
    async fn ids(self, tenant: &str, typed: &str) -> Option<Vec<String>> {
        async fn ids_of<T: Object>(path: String) -> Option<Vec<String>> {
            let page: Page<T> = api::get(path).await.ok()?;
            Some(page.items.iter().map(|o| o.id().to_owned()).collect())
        }
        let query = api::query(&[("q", typed), ("limit", SUGGESTIONS)]);
        let path = match self {
            // Accounts are the platform's, not the tenant's.
            Pick::Accounts => format!("/v1/{}{query}", self.section()),
            _ => api::tenant_path(tenant, &format!("/{}{query}", self.section())),
        };
        match self {
            Pick::Roles => ids_of::<Role>(path).await,
            Pick::Groups => ids_of::<Group>(path).await,
            Pick::Users => ids_of::<User>(path).await,
            Pick::Resources => ids_of::<Resource>(path).await,
            Pick::Actions => {
                let list: ActionList = api::get(path).await.ok()?;
                Some(list.items.into_iter().map(|a| a.action).collect())
            }
            Pick::Accounts => {
                let page: Page<Account> = api::get(path).await.ok()?;
                Some(page.items.into_iter().map(|a| a.username).collect())
            }
        }
    }
}

/// Where the item being typed starts in `text`: after the last `,` or new line, or at 0
/// in a field of one value (`separator` empty).
fn item_start(text: &str, separator: &str) -> usize {
    if separator.is_empty() {
        return 0;
    }
    text.rfind([',', '\n']).map_or(0, |i| i + 1)
}

/// The item being typed, without the spaces around it.
fn typed_item<'a>(text: &'a str, separator: &str) -> &'a str {
    text[item_start(text, separator)..].trim()
}

/// `text` with the item being typed replaced by `id` and followed by `separator`.
fn completed(text: &str, id: &str, separator: &str) -> String {
    let start = item_start(text, separator);
    let before = &text[..start];
    // After a comma, one space, as the field's placeholder writes lists.
    let space = if before.ends_with(',') { " " } else { "" };
    format!("{before}{space}{id}{separator}")
}

/// The suggestions under a field that names objects of `pick`; `separator` is what follows
/// a completed item (`", "`, `"\n"`), or empty for a field of one value.
#[component]
pub fn Suggest(
    pick: Pick,
    value: RwSignal<String>,
    #[prop(optional)] separator: &'static str,
) -> impl IntoView {
    let tenant = use_tenant();
    let typed = Memo::new(move |_| value.with(|v| typed_item(v, separator).to_owned()));
    let found = LocalResource::new(move || {
        let (tenant, typed) = (tenant.get(), typed.get());
        async move {
            if typed.is_empty() || tenant.is_empty() {
                return None;
            }
            pick.ids(&tenant, &typed).await.map(|ids| (typed, ids))
        }
    });
    move || {
        let (asked, ids) = found.get().flatten()?;
        // An answer to what is no longer typed is not shown; nor suggestions once the
        // item is one of them and the only one.
        if asked != typed.get() || ids == [asked.clone()] {
            return None;
        }
        Some(if ids.is_empty() {
            view! { <p class="suggest-none" role="status">{pick.none_found(&asked)}</p> }.into_any()
        } else {
            let label = format!("{}s starting with {asked}", pick.noun());
            view! {
                <div class="suggestions" role="group" aria-label=label>
                    {ids.into_iter().map(|id| {
                        let chosen = id.clone();
                        view! {
                            <button type="button" class="suggestion"
                                on:click=move |_| value.update(|v| *v = completed(v, &chosen, separator))>
                                {id}
                            </button>
                        }
                    }).collect_view()}
                </div>
            }
            .into_any()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_item_being_typed_is_found_and_completed() {
        assert_eq!(typed_item("editor, vi", ", "), "vi");
        assert_eq!(completed("editor, vi", "viewer", ", "), "editor, viewer, ");
        assert_eq!(completed("vi", "viewer", ", "), "viewer, ");
        assert_eq!(typed_item("ada\nbo", "\n"), "bo");
        assert_eq!(completed("ada\nbo", "bob", "\n"), "ada\nbob\n");
        assert_eq!(typed_item("editor, ", ", "), "");
        // A field of one value is one item, commas and all.
        assert_eq!(typed_item("  /orgs/a,b ", ""), "/orgs/a,b");
        assert_eq!(completed("/orgs/a", "/orgs/acme", ""), "/orgs/acme");
    }
}
