//! The access explorer and the check playground. Both keep their question in the URL, so
//! an answer can be bookmarked, reloaded and sent to a colleague.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::{
    AuthzenAction, AuthzenDecision, AuthzenEntity, AuthzenEvaluation, CheckRequest, CheckResponse,
    EffectivePermissions, HolderPage, ReachableResourcePage, Reason, Via,
};
use serde::de::DeserializeOwned;

use crate::api::{self, Problem};
use crate::pick::{Pick, Suggest};
use crate::ui::{ErrorBox, Loading, PageTitle, Pager, use_query_param, use_tenant};

/// How many users or resources a page of the explorer's lists shows.
const LOOKUP_PAGE: &str = "200";
use leptos::task::spawn_local;

/// A text input bound to a signal, with a label.
#[component]
fn Input(
    #[prop(into)] label: String,
    id: &'static str,
    value: RwSignal<String>,
    #[prop(optional, into)] placeholder: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=id placeholder=placeholder bind:value=value/>
        </div>
    }
}

/// The inputs of a form: one per `(id, label, placeholder)`, each bound to its signal.
fn inputs(
    fields: &[(&'static str, &'static str, &'static str)],
    values: impl IntoIterator<Item = RwSignal<String>>,
) -> impl IntoView {
    fields
        .iter()
        .zip(values)
        .map(|(&(name, label, placeholder), value)| {
            view! { <Input label=label id=name value placeholder=placeholder/> }
        })
        .collect_view()
}

/// How a record reached the user: `user ada` or `group support`.
fn via(via: &Via) -> String {
    match via {
        Via::User(id) => format!("user {id}"),
        Via::Group(id) => format!("group {id}"),
    }
}

fn record_link(tenant: &str, id: &str) -> AnyView {
    view! { <a href=format!("/console/t/{}/records/{}", api::enc(tenant), api::enc(id))>{id.to_owned()}</a> }
        .into_any()
}

/// The three inputs of a question (user, resource, permission). The question lives in the
/// URL: the inputs start from its query, and submitting navigates there, which runs it;
/// `runs` is bumped too, so asking the same question again asks the server again.
#[component]
fn QuestionForm(page: &'static str, button: &'static str, runs: RwSignal<u32>) -> impl IntoView {
    const FIELDS: [(&str, &str, &str); 3] = [
        ("user", "User", "user-1"),
        ("resource", "Resource", "/orgs/acme/documents/d1"),
        ("permission", "Permission", "documents:read"),
    ];
    let tenant = use_tenant();
    let asked = FIELDS.map(|(name, _, _)| use_query_param(name));
    let typed = FIELDS.map(|_| RwSignal::new(String::new()));
    Effect::new(move |_| {
        for (input, param) in typed.iter().zip(asked.iter()) {
            input.set(param.get());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        runs.update(|n| *n += 1);
        let values = typed.map(|input| input.get_untracked().trim().to_owned());
        let pairs: Vec<(&str, &str)> = FIELDS
            .iter()
            .zip(values.iter())
            .map(|((name, _, _), value)| (*name, value.as_str()))
            .collect();
        use_navigate()(
            &format!(
                "/console/t/{}/{page}{}",
                api::enc(&tenant.get_untracked()),
                api::query(&pairs)
            ),
            Default::default(),
        );
    };
    let [user, resource, permission] = typed;
    view! {
        <form class="question" on:submit=submit>
            {inputs(&FIELDS, typed)}
            <button type="submit" class="primary">{button}</button>
        </form>
        <Suggest pick=Pick::Users value=user/>
        <Suggest pick=Pick::Resources value=resource/>
        <Suggest pick=Pick::Actions value=permission/>
    }
}

/// For a user: their permissions on a resource and the resources they reach; for a
/// resource: who reaches it, through which record.
#[component]
pub fn Explorer() -> impl IntoView {
    let tenant = use_tenant();
    let q_user = use_query_param("user");
    let q_resource = use_query_param("resource");
    let q_permission = use_query_param("permission");
    // Each list pages on its own cursor, kept in the URL like the question.
    let resources_after = use_query_param("resourcesCursor");
    let holders_after = use_query_param("holdersCursor");
    let question = move || {
        api::query(&[
            ("user", &q_user.get()),
            ("resource", &q_resource.get()),
            ("permission", &q_permission.get()),
        ])
    };
    let effective = ask::<EffectivePermissions>(move || {
        let (u, r) = (q_user.get(), q_resource.get());
        (!u.is_empty() && !r.is_empty()).then(|| {
            api::tenant_path(
                &tenant.get(),
                &format!(
                    "/users/{}/resources/{}/permissions",
                    api::enc(&u),
                    api::enc(&r)
                ),
            )
        })
    });
    let reachable = ask::<ReachableResourcePage>(move || {
        let (u, p) = (q_user.get(), q_permission.get());
        (!u.is_empty() && !p.is_empty()).then(|| {
            let query = api::query(&[
                ("permission", &p),
                ("limit", LOOKUP_PAGE),
                ("cursor", &resources_after.get()),
            ]);
            api::tenant_path(
                &tenant.get(),
                &format!("/users/{}/resources{query}", api::enc(&u)),
            )
        })
    });
    let holders = ask::<HolderPage>(move || {
        let (r, p) = (q_resource.get(), q_permission.get());
        (!r.is_empty() && !p.is_empty()).then(|| {
            let query = api::query(&[
                ("permission", &p),
                ("limit", LOOKUP_PAGE),
                ("cursor", &holders_after.get()),
            ]);
            api::tenant_path(
                &tenant.get(),
                &format!("/resources/{}/users{query}", api::enc(&r)),
            )
        })
    });
    view! {
        <PageTitle title="Access explorer"/>
        <QuestionForm page="explorer" button="Explore" runs=RwSignal::new(0)/>
        <p class="hint">
            "User alone: the groups and records that reach them. User and resource: the user's permissions there. User and permission: the resources the user reaches. Resource and permission: who reaches it."
        </p>
        {move || {
            let user_alone = !q_user.get().is_empty() && q_resource.get().is_empty() && q_permission.get().is_empty();
            user_alone.then(|| view! { <super::objects::UserAccess user=q_user/> })
        }}
        <section aria-label="effective permissions">
            {move || effective.get().flatten().map(|answer| view! {
                <h2>{format!("What {} may do on {}", q_user.get(), q_resource.get())}</h2>
                {answer_view(answer, |answer| {
                    if answer.permissions.is_empty() {
                        return view! { <p class="empty">"Nothing: no record in force gives this user a role there."</p> }.into_any();
                    }
                    let mark = |on: bool| if on { "yes" } else { "—" };
                    view! {
                        <table>
                            <thead><tr><th scope="col">"Action"</th><th scope="col">"Allow"</th><th scope="col">"Grant"</th><th scope="col">"Delegate"</th></tr></thead>
                            <tbody>
                                {answer.permissions.iter().map(|p| view! {
                                    <tr><td>{p.action.clone()}</td><td>{mark(p.allow)}</td><td>{mark(p.grant)}</td><td>{mark(p.delegate)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        <p class="muted">{format!("At revision {}", answer.revision)}</p>
                    }.into_any()
                })}
            })}
        </section>
        <section aria-label="reachable resources">
            {move || reachable.get().flatten().map(|answer| view! {
                <h2>{format!("Where {} may {}", q_user.get(), q_permission.get())}</h2>
                {answer_view(answer, |page| {
                    if page.items.is_empty() {
                        return view! { <p class="empty">"Nowhere."</p> }.into_any();
                    }
                    view! {
                        <ul class="plain">
                            {page.items.iter().map(|i| view! { <li><code>{i.resource_uri.clone()}</code>" and everything below it"</li> }).collect_view()}
                        </ul>
                        <p class="muted">{page_note(page.items.len(), page.next_cursor.is_some(), page.revision)}</p>
                        <Pager next=page.next_cursor.clone() base_query=question() param="resourcesCursor"/>
                    }.into_any()
                })}
            })}
        </section>
        <section aria-label="who reaches the resource">
            {move || holders.get().flatten().map(|answer| {
                let tenant = tenant.get();
                view! {
                    <h2>{format!("Who may {} on {}", q_permission.get(), q_resource.get())}</h2>
                    {answer_view(answer, move |page| {
                        if page.items.is_empty() {
                            return view! { <p class="empty">"Nobody."</p> }.into_any();
                        }
                        view! {
                            <table>
                                <thead><tr><th scope="col">"User"</th><th scope="col">"Through"</th></tr></thead>
                                <tbody>
                                    {page.items.iter().map(|h| view! {
                                        <tr>
                                            <td>{h.user_id.clone()}</td>
                                            <td>
                                                {h.grants.iter().map(|g| view! {
                                                    <span class="through">"record " {record_link(&tenant, &g.record_id)} " via " {via(&g.via)}</span>
                                                }).collect_view()}
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">{page_note(page.items.len(), page.next_cursor.is_some(), page.revision)}</p>
                            <Pager next=page.next_cursor.clone() base_query=question() param="holdersCursor"/>
                        }.into_any()
                    })}
                }
            })}
        </section>
    }
}

/// What a page of a lookup holds, and whether more follow.
fn page_note(shown: usize, more: bool, revision: i64) -> String {
    let more = if more { "; more on the next page" } else { "" };
    format!("{shown} on this page{more}. At revision {revision}.")
}

/// `GET`s the path `path` gives, once it gives one (every input of the question is there).
fn ask<T: DeserializeOwned + 'static>(
    path: impl Fn() -> Option<String> + 'static,
) -> LocalResource<Option<Result<T, Problem>>> {
    LocalResource::new(move || {
        let path = path();
        async move {
            match path {
                Some(path) => Some(api::get::<T>(path).await),
                None => None,
            }
        }
    })
}

fn answer_view<T>(answer: Result<T, Problem>, show: impl Fn(&T) -> AnyView) -> AnyView {
    match answer {
        Ok(value) => show(&value),
        Err(problem) => view! { <ErrorBox problem/> }.into_any(),
    }
}

/// The question as an AuthZEN client asks it: `(type, id)` pairs and an action name. The
/// server maps them (README, "AuthZEN"); submitting asks its AuthZEN evaluation endpoint,
/// then opens the playground at the Portcullis names the answer says they map to, so the
/// admin sees the mapping and the explained decision under those names.
#[component]
fn AuthzenForm() -> impl IntoView {
    const FIELDS: [(&str, &str, &str); 5] = [
        ("subject-type", "Subject type", "user"),
        ("subject-id", "Subject id", "ada"),
        ("resource-type", "Resource type", "document"),
        ("resource-id", "Resource id", "d1"),
        ("action-name", "Action name", "documents:read"),
    ];
    let tenant = use_tenant();
    let navigate = use_navigate();
    let typed = FIELDS.map(|(name, _, _)| {
        RwSignal::new(if name == "subject-type" {
            "user".to_owned()
        } else {
            String::new()
        })
    });
    let problem = RwSignal::new(None::<Problem>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let [subject_type, subject_id, resource_type, resource_id, action] =
            typed.map(|input| input.get_untracked().trim().to_owned());
        let t = tenant.get_untracked();
        let navigate = navigate.clone();
        spawn_local(async move {
            let entity = |kind: &str, id: &str| AuthzenEntity {
                kind: Some(kind.to_owned()),
                id: Some(id.to_owned()),
                properties: None,
            };
            let body = AuthzenEvaluation {
                subject: Some(entity(&subject_type, &subject_id)),
                resource: Some(entity(&resource_type, &resource_id)),
                action: Some(AuthzenAction {
                    name: Some(action.clone()),
                    properties: None,
                }),
                context: None,
            };
            let answer: Result<AuthzenDecision, Problem> =
                api::send("POST", api::tenant_path(&t, "/access/v1/evaluation"), &body).await;
            match answer {
                Ok(answer) => {
                    problem.set(None);
                    let asked = format!(
                        "({subject_type}, {subject_id}) on ({resource_type}, {resource_id})"
                    );
                    let context = answer.context;
                    let pairs = [
                        ("user", context.user_id.unwrap_or_default()),
                        ("resource", context.resource_uri.unwrap_or_default()),
                        ("permission", action),
                        ("authzen", asked),
                    ];
                    let pairs: Vec<(&str, &str)> =
                        pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    navigate(
                        &format!(
                            "/console/t/{}/playground{}",
                            api::enc(&t),
                            api::query(&pairs)
                        ),
                        Default::default(),
                    );
                }
                Err(error) => problem.set(Some(error)),
            }
        });
    };
    view! {
        <h2>"Ask as AuthZEN"</h2>
        <p class="hint">"An AuthZEN client names things by type and id; see what they map to, and the answer."</p>
        <form class="question" on:submit=submit>
            {inputs(&FIELDS, typed)}
            <button type="submit" class="primary">"Ask as AuthZEN"</button>
        </form>
        {move || problem.get().map(|problem| view! { <ErrorBox problem/> })}
    }
}

/// The question as an app asks it with a user's identity token (`userToken`): the server
/// verifies the token against the tenant's issuers and decides for its `sub`, and the
/// answer says whom the token named. The token stays in this form: never in the URL
/// (where browser history and logs would keep it), never stored.
#[component]
fn TokenForm() -> impl IntoView {
    const FIELDS: [(&str, &str, &str); 2] = [
        (
            "token-resource",
            "Resource to check",
            "/orgs/acme/documents/d1",
        ),
        ("token-permission", "Permission to check", "documents:read"),
    ];
    let tenant = use_tenant();
    let token = RwSignal::new(String::new());
    let typed = FIELDS.map(|_| RwSignal::new(String::new()));
    let answer = RwSignal::new(None::<Result<CheckResponse, Problem>>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let [resource, permission] = typed.map(|input| input.get_untracked().trim().to_owned());
        let body = CheckRequest {
            user_id: None,
            user_token: Some(token.get_untracked().trim().to_owned()),
            resource_uri: resource,
            permission,
            explain: true,
            min_revision: None,
            consistency: Default::default(),
        };
        let t = tenant.get_untracked();
        spawn_local(async move {
            answer.set(Some(
                api::send::<CheckResponse>("POST", api::tenant_path(&t, "/check"), &body).await,
            ));
        });
    };
    view! {
        <h2>"Ask with an identity token"</h2>
        <p class="hint">"Paste a user's token from one of this tenant's identity issuers: the check is made for the user it names, as an app's check with "<code>"userToken"</code>" is. The token is not kept."</p>
        <form class="question" on:submit=submit>
            <div class="field">
                <label for="token">"Identity token (JWT)"</label>
                <textarea id="token" name="token" rows="3" spellcheck="false" autocomplete="off" bind:value=token></textarea>
            </div>
            {inputs(&FIELDS, typed)}
            <button type="submit" class="primary">"Check with the token"</button>
        </form>
        {move || answer.get().map(|answer| match answer {
            Err(problem) => view! { <ErrorBox problem/> }.into_any(),
            Ok(value) => view! {
                <p class="token-user">"The token names user " <code>{value.user_id.clone().unwrap_or_default()}</code> "."</p>
                <Decision value tenant=tenant.get()/>
            }.into_any(),
        })}
    }
}

/// Runs one check with its explanation.
#[component]
pub fn Playground() -> impl IntoView {
    let tenant = use_tenant();
    let q_user = use_query_param("user");
    let q_resource = use_query_param("resource");
    let q_permission = use_query_param("permission");
    // Bumped by every submit, so asking the same question again asks the server again.
    let runs = RwSignal::new(0u32);
    let answer = LocalResource::new(move || {
        runs.track();
        let (t, u, r, p) = (
            tenant.get(),
            q_user.get(),
            q_resource.get(),
            q_permission.get(),
        );
        async move {
            if u.is_empty() || r.is_empty() || p.is_empty() {
                return None;
            }
            let body = CheckRequest {
                user_id: Some(u),
                user_token: None,
                resource_uri: r,
                permission: p,
                explain: true,
                min_revision: None,
                consistency: Default::default(),
            };
            Some(api::send::<CheckResponse>("POST", api::tenant_path(&t, "/check"), &body).await)
        }
    });
    let q_authzen = use_query_param("authzen");
    view! {
        <PageTitle title="Check playground"/>
        <QuestionForm page="playground" button="Check" runs/>
        {move || {
            let asked = q_authzen.get();
            (!asked.is_empty()).then(|| view! {
                <p class="authzen-mapping">
                    "AuthZEN " <code>{asked}</code> " is user " <code>{q_user.get()}</code>
                    " on resource " <code>{q_resource.get()}</code> "."
                </p>
            })
        }}
        {move || match answer.get() {
            None if !q_user.get().is_empty() => view! { <Loading/> }.into_any(),
            None | Some(None) => view! { <p class="hint">"Ask: may this user do this on this resource? The answer explains itself."</p> }.into_any(),
            Some(Some(Err(problem))) => view! { <ErrorBox problem/> }.into_any(),
            Some(Some(Ok(value))) => view! { <Decision value tenant=tenant.get()/> }.into_any(),
        }}
        <AuthzenForm/>
        <TokenForm/>
    }
}

fn reason(reason: Reason) -> &'static str {
    match reason {
        Reason::Disabled => "the record is disabled",
        Reason::Expired => "the record has expired",
        Reason::ResourceNotCovered => "none of its statements covers this resource",
        Reason::NoRoleAllows => "none of its roles allows this permission",
    }
}

#[component]
fn Decision(value: CheckResponse, tenant: String) -> impl IntoView {
    let allowed = value.allowed;
    let revision = value.revision;
    let (granted, not_applied, suspended) = value
        .explanation
        .map(|e| {
            (
                e.granted_by,
                e.not_applied.unwrap_or_default(),
                e.user_suspended,
            )
        })
        .unwrap_or_default();
    view! {
        <section class=if allowed { "decision allowed" } else { "decision denied" } aria-live="polite">
            <p class="verdict">{if allowed { "Allowed" } else { "Denied" }}</p>
            {if let Some(granted) = granted {
                view! {
                    <p class="why">
                        "Granted by record " {record_link(&tenant, &granted.record_id)}
                        ", which names " {via(&granted.via)}
                        ", through role " <code>{granted.role_id.clone()}</code>
                        " (permission " <code>{granted.permission.action.clone()}</code> ")"
                        " on " <code>{granted.resource.clone()}</code> "."
                    </p>
                }.into_any()
            } else if allowed {
                view! { <p class="why">"Allowed."</p> }.into_any()
            } else if suspended {
                view! { <p class="why">"This user is suspended: every decision for them is a deny, whatever their records give."</p> }.into_any()
            } else if not_applied.is_empty() {
                view! { <p class="why">"No access record names this user, directly or through a group."</p> }.into_any()
            } else {
                view! {
                    <div class="why">
                        <p>"Records that name the user but do not grant this:"</p>
                        <ul>
                            {not_applied.iter().map(|n| view! {
                                <li>"Record " {record_link(&tenant, &n.record_id)} " (via " {via(&n.via)} "): " {reason(n.reason)}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any()
            }}
            <p class="muted">{format!("Computed at revision {revision}.")}</p>
        </section>
    }
}
