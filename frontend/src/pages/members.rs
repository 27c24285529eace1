//! Who may use the console for this tenant, and as what. Owners and platform admins change
//! it; everyone else reads it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_api::{Member, MemberIn, MemberRole};

use crate::api::{self, Page};
use crate::pick::{Pick, Suggest};
use crate::ui::{
    ConfirmButton, ErrorBox, FieldErrors, FormState, Loading, MaybeError, PageTitle, Pager,
    Session, use_query_param, use_tenant, when,
};

/// The roles in the order the pickers offer them, least powerful first.
const ROLES: [MemberRole; 3] = [MemberRole::Viewer, MemberRole::Admin, MemberRole::Owner];

/// The role a picker's value names (a viewer for anything else: the picker offers only roles).
fn picked(value: &str) -> MemberRole {
    MemberRole::parse(value).unwrap_or(MemberRole::Viewer)
}

/// The tenant's members.
#[component]
pub fn Members() -> impl IntoView {
    let tenant = use_tenant();
    let session = Session::get();
    let manage = Memo::new(move |_| session.can_manage_members(&tenant.get()));
    let cursor = use_query_param("cursor");
    let members = LocalResource::new(move || {
        api::get::<Page<Member>>(api::tenant_path(
            &tenant.get(),
            &format!("/members{}", api::query(&[("cursor", &cursor.get())])),
        ))
    });
    let username = RwSignal::new(String::new());
    let role = RwSignal::new(MemberRole::Viewer);
    let form = FormState::new();
    let put = move |username: String, role: MemberRole| {
        form.start();
        let tenant = tenant.get_untracked();
        spawn_local(async move {
            let result = api::send::<Member>(
                "PUT",
                api::tenant_path(&tenant, &format!("/members/{}", api::enc(&username))),
                &MemberIn::new(role),
            )
            .await;
            if form.finish(result).is_some() {
                members.refetch();
            }
        });
    };
    let remove = move |username: String| {
        form.start();
        let tenant = tenant.get_untracked();
        spawn_local(async move {
            let result = api::delete(api::tenant_path(
                &tenant,
                &format!("/members/{}", api::enc(&username)),
            ))
            .await;
            if form.finish(result).is_some() {
                members.refetch();
            }
        });
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        put(
            username.get_untracked().trim().to_owned(),
            role.get_untracked(),
        );
    };
    view! {
        <PageTitle title="Members"/>
        <p class="hint">"Viewers read everything and run checks; admins also change things; owners also manage members."</p>
        <Show when=move || manage.get()>
            <form class="inline-form" on:submit=add>
                <div class="field">
                    <label for="member-username">"Account username"</label>
                    <input id="member-username" bind:value=username/>
                    <FieldErrors errors=form.errors field="username"/>
                    // Only a platform admin may list the platform's accounts; an owner
                    // types the username they were given.
                    <Show when=move || session.platform_admin()>
                        <Suggest pick=Pick::Accounts value=username/>
                    </Show>
                </div>
                <div class="field">
                    <label for="member-role">"Role"</label>
                    <select id="member-role" on:change=move |ev| role.set(picked(&event_target_value(&ev)))>
                        {ROLES.iter().map(|r| view! { <option value=r.as_str() selected=move || role.get() == *r>{r.as_str()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="primary">"Add or change"</button>
            </form>
        </Show>
        <MaybeError problem=form.problem/>
        {move || match members.get() {
            None => view! { <Loading/> }.into_any(),
            Some(Err(problem)) => view! { <ErrorBox problem/> }.into_any(),
            Some(Ok(page)) if page.items.is_empty() => view! { <p class="empty">"No members."</p> }.into_any(),
            Some(Ok(page)) => view! {
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Role"</th><th scope="col">"Since"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                        <tbody>
                            {page.items.iter().map(|m| {
                                let name = m.username.clone();
                                let current = m.role;
                                let (for_select, for_remove) = (name.clone(), name.clone());
                                view! {
                                    <tr>
                                        <td>{name.clone()}</td>
                                        <td>
                                            <Show when=move || manage.get() fallback=move || view! { <span class="badge">{current.as_str()}</span> }>
                                                <select aria-label=format!("Role of {for_select}") on:change={ let n = for_select.clone(); move |ev| put(n.clone(), picked(&event_target_value(&ev))) }>
                                                    {ROLES.iter().map(|r| view! { <option value=r.as_str() selected=current == *r>{r.as_str()}</option> }).collect_view()}
                                                </select>
                                            </Show>
                                        </td>
                                        <td>{when(&m.created_at)}</td>
                                        <td>
                                            <Show when=move || manage.get()>
                                                <ConfirmButton label="Remove" question=format!("Remove {for_remove} from this tenant?")
                                                    on_confirm=Callback::new({ let n = for_remove.clone(); move |_| remove(n.clone()) })/>
                                            </Show>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager next=page.next_cursor.clone() base_query=""/>
            }.into_any(),
        }}
    }
}
