//! The access explorer and the check playground. Both keep their question in the URL, so
//! an answer can be bookmarked, reloaded and sent to a colleague.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_api::{
    AuthzenAction, AuthzenDecision, AuthzenEntity, AuthzenEvaluation, CheckRequest, CheckResponse,
    EffectivePermissions, HolderGrant, HolderPage, ReachableResourcePage, Reason, Via,
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
    /// Hidden while this is true (an input the question does not use).
    #[prop(optional, into)]
    hidden: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="field" hidden=move || hidden.get()>
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

/// A link to the console page of object `id` in `section` (`records`, `roles`, `groups`,
/// `users`) of `tenant`.
fn object_link(tenant: &str, section: &str, id: &str) -> AnyView {
    view! { <a href=format!("/console/t/{}/{section}/{}", api::enc(tenant), api::enc(id))>{id.to_owned()}</a> }
        .into_any()
}

fn record_link(tenant: &str, id: &str) -> AnyView {
    object_link(tenant, "records", id)
}

fn role_link(tenant: &str, id: &str) -> AnyView {
    object_link(tenant, "roles", id)
}

/// How a record reached the user: `user ada` or `group support`, the name a link.
fn via(tenant: &str, via: &Via) -> AnyView {
    match via {
        Via::User(id) => view! { "user " {object_link(tenant, "users", id)} }.into_any(),
        Via::Group(id) => view! { "group " {object_link(tenant, "groups", id)} }.into_any(),
    }
}

/// The explorer's questions. Each asks for its own inputs and answers one thing; the
/// question is in the URL with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Question {
    /// A user's effective permissions on a resource.
    What,
    /// The resources a user holds a permission on.
    Where,
    /// The users who hold a permission on a resource.
    Who,
    /// The groups and records that reach a user.
    Reach,
}

impl Question {
    const ALL: [Question; 4] = [
        Question::What,
        Question::Where,
        Question::Who,
        Question::Reach,
    ];

    /// Its name in the URL.
    fn key(self) -> &'static str {
        match self {
            Question::What => "what",
            Question::Where => "where",
            Question::Who => "who",
            Question::Reach => "reach",
        }
    }

    /// The question in words.
    fn text(self) -> &'static str {
        match self {
            Question::What => "What may this user do here?",
            Question::Where => "Where may this user do this?",
            Question::Who => "Who may do this here?",
            Question::Reach => "What reaches this user?",
        }
    }

    /// The inputs it needs, of `user`, `resource`, `permission`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Question::What => &["user", "resource"],
            Question::Where => &["user", "permission"],
            Question::Who => &["resource", "permission"],
            Question::Reach => &["user"],
        }
    }

    /// The question a URL asks: its `question`; for a link without one (made before the
    /// questions were explicit, or the user page's `?user=`), the first question whose
    /// inputs it all gives, else what reaches the user.
    fn asked(key: &str, given: impl Fn(&str) -> bool) -> Self {
        Self::ALL
            .into_iter()
            .find(|q| q.key() == key)
            .or_else(|| {
                Self::ALL
                    .into_iter()
                    .find(|q| q.fields().iter().all(|field| given(field)))
            })
            .unwrap_or(Question::Reach)
    }
}

/// The inputs of a question (user, resource, permission). The question lives in the URL:
/// the inputs start from its query, and submitting navigates there, which runs it; `runs`
/// is bumped too, so asking the same question again asks the server again. With `asked`
/// (the explorer), the form first offers the questions, shows only the chosen one's inputs
/// and puts it in the URL.
#[component]
fn QuestionForm(
    page: &'static str,
    button: &'static str,
    runs: RwSignal<u32>,
    #[prop(optional)] asked: Option<Memo<Question>>,
) -> impl IntoView {
    const FIELDS: [(&str, &str, &str); 3] = [
        ("user", "User", "user-1"),
        ("resource", "Resource", "/orgs/acme/documents/d1"),
        ("permission", "Permission", "documents:read"),
    ];
    let tenant = use_tenant();
    let in_url = FIELDS.map(|(name, _, _)| use_query_param(name));
    let typed = FIELDS.map(|_| RwSignal::new(String::new()));
    Effect::new(move |_| {
        for (input, param) in typed.iter().zip(in_url.iter()) {
            input.set(param.get());
        }
    });
    let chosen = RwSignal::new(Question::Reach);
    if let Some(asked) = asked {
        Effect::new(move |_| chosen.set(asked.get()));
    }
    let shown = move |name: &str| asked.is_none() || chosen.get().fields().contains(&name);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        runs.update(|n| *n += 1);
        let values = typed.map(|input| input.get_untracked().trim().to_owned());
        let question = asked.map(|_| chosen.get_untracked());
        let mut pairs: Vec<(&str, &str)> = question.iter().map(|q| ("question", q.key())).collect();
        pairs.extend(
            FIELDS
                .iter()
                .zip(values.iter())
                .filter(|((name, _, _), _)| question.is_none_or(|q| q.fields().contains(name)))
                .map(|((name, _, _), value)| (*name, value.as_str())),
        );
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
            {asked.map(|_| view! {
                <fieldset class="field choices questions">
                    <legend>"Question"</legend>
                    {Question::ALL.into_iter().map(|q| {
                        let id = format!("question-{}", q.key());
                        view! {
                            <span class="checkbox">
                                <input id=id.clone() type="radio" name="question" value=q.key()
                                    prop:checked=move || chosen.get() == q
                                    on:change=move |_| chosen.set(q)/>
                                <label for=id>{q.text()}</label>
                            </span>
                        }
                    }).collect_view()}
                </fieldset>
            })}
            {FIELDS.iter().zip(typed).map(|(&(name, label, placeholder), value)| view! {
                <Input label=label id=name value placeholder=placeholder hidden=Signal::derive(move || !shown(name))/>
            }).collect_view()}
            <button type="submit" class="primary">{button}</button>
        </form>
        <Suggest pick=Pick::Users value=user/>
        <Suggest pick=Pick::Resources value=resource/>
        <Suggest pick=Pick::Actions value=permission/>
    }
}

/// The access explorer: one explicit question at a time ([`Question`]), each answer saying
/// through which record (and role, and whom the record names) the user holds what it lists.
#[component]
pub fn Explorer() -> impl IntoView {
    let tenant = use_tenant();
    let q_question = use_query_param("question");
    let q_user = use_query_param("user");
    let q_resource = use_query_param("resource");
    let q_permission = use_query_param("permission");
    let asked = Memo::new(move |_| {
        let given = [
            ("user", q_user),
            ("resource", q_resource),
            ("permission", q_permission),
        ];
        Question::asked(&q_question.get(), |field| {
            given
                .iter()
                .any(|(name, value)| *name == field && !value.get().is_empty())
        })
    });
    // Each list pages on its own cursor, kept in the URL like the question.
    let resources_after = use_query_param("resourcesCursor");
    let holders_after = use_query_param("holdersCursor");
    let question = move || {
        api::query(&[
            ("question", asked.get().key()),
            ("user", &q_user.get()),
            ("resource", &q_resource.get()),
            ("permission", &q_permission.get()),
        ])
    };
    // The path of `question`'s lookup once its inputs are all given.
    let when_asked = move |question: Question, path: &dyn Fn() -> String| {
        let given = question.fields().iter().all(|field| match *field {
            "user" => !q_user.get().is_empty(),
            "resource" => !q_resource.get().is_empty(),
            _ => !q_permission.get().is_empty(),
        });
        (asked.get() == question && given).then(path)
    };
    let effective = ask::<EffectivePermissions>(move || {
        when_asked(Question::What, &|| {
            api::tenant_path(
                &tenant.get(),
                &format!(
                    "/users/{}/resources/{}/permissions",
                    api::enc(&q_user.get()),
                    api::enc(&q_resource.get())
                ),
            )
        })
    });
    let reachable = ask::<ReachableResourcePage>(move || {
        when_asked(Question::Where, &|| {
            let query = api::query(&[
                ("permission", &q_permission.get()),
                ("limit", LOOKUP_PAGE),
                ("cursor", &resources_after.get()),
            ]);
            api::tenant_path(
                &tenant.get(),
                &format!("/users/{}/resources{query}", api::enc(&q_user.get())),
            )
        })
    });
    let holders = ask::<HolderPage>(move || {
        when_asked(Question::Who, &|| {
            let query = api::query(&[
                ("permission", &q_permission.get()),
                ("limit", LOOKUP_PAGE),
                ("cursor", &holders_after.get()),
            ]);
            api::tenant_path(
                &tenant.get(),
                &format!("/resources/{}/users{query}", api::enc(&q_resource.get())),
            )
        })
    });
    view! {
        <PageTitle title="Access explorer"/>
        <QuestionForm page="explorer" button="Ask" runs=RwSignal::new(0) asked/>
        {move || {
            let reach = asked.get() == Question::Reach && !q_user.get().is_empty();
            reach.then(|| view! { <super::objects::UserAccess user=q_user/> })
        }}
        <section aria-label="effective permissions">
            {move || effective.get().flatten().map(|answer| {
                let tenant = tenant.get();
                view! {
                <h2>{format!("What {} may do on {}", q_user.get(), q_resource.get())}</h2>
                {answer_view(answer, move |answer| {
                    if answer.permissions.is_empty() {
                        return view! { <p class="empty">"Nothing: no record in force gives this user a role there."</p> }.into_any();
                    }
                    let mark = |on: bool| if on { "yes" } else { "—" };
                    view! {
                        <div class="table-wrap">
                        <table>
                            <thead><tr><th scope="col">"Action"</th><th scope="col">"Allow"</th><th scope="col">"Grant"</th><th scope="col">"Delegate"</th><th scope="col">"Through"</th></tr></thead>
                            <tbody>
                                {answer.permissions.iter().map(|p| view! {
                                    <tr>
                                        <td>{p.action.clone()}</td><td>{mark(p.allow)}</td><td>{mark(p.grant)}</td><td>{mark(p.delegate)}</td>
                                        <td class="wrap">
                                            {p.grants.iter().map(|g| view! {
                                                <span class="through">"record " {record_link(&tenant, &g.record_id)} ", role " {role_link(&tenant, &g.role_id)} ", via " {via(&tenant, &g.via)}</span>
                                            }).collect_view()}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                        <p class="muted">{format!("At revision {}", answer.revision)}</p>
                    }.into_any()
                })}
            }})}
        </section>
        <section aria-label="reachable resources">
            {move || reachable.get().flatten().map(|answer| {
                let tenant = tenant.get();
                view! {
                <h2>{format!("Where {} may {}", q_user.get(), q_permission.get())}</h2>
                {answer_view(answer, move |page| {
                    if page.items.is_empty() {
                        return view! { <p class="empty">"Nowhere."</p> }.into_any();
                    }
                    view! {
                        {through_table(&tenant, "Resource and everything below it", page.items.iter().map(|i| {
                            (view! { <code>{i.resource_uri.clone()}</code> }.into_any(), i.grants.as_slice())
                        }))}
                        <p class="muted">{page_note(page.items.len(), page.next_cursor.is_some(), page.revision)}</p>
                        <Pager next=page.next_cursor.clone() base_query=question() param="resourcesCursor"/>
                    }.into_any()
                })}
            }})}
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
                            {through_table(&tenant, "User", page.items.iter().map(|h| {
                                (object_link(&tenant, "users", &h.user_id), h.grants.as_slice())
                            }))}
                            <p class="muted">{page_note(page.items.len(), page.next_cursor.is_some(), page.revision)}</p>
                            <Pager next=page.next_cursor.clone() base_query=question() param="holdersCursor"/>
                        }.into_any()
                    })}
                }
            })}
        </section>
    }
}

/// A page of a lookup as a table: each item (its cell under `first`) and the records it is
/// held through, each with the user or group the record names.
fn through_table<'a>(
    tenant: &str,
    first: &'static str,
    rows: impl Iterator<Item = (AnyView, &'a [HolderGrant])>,
) -> AnyView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th scope="col">{first}</th><th scope="col">"Through"</th></tr></thead>
                <tbody>
                    {rows.map(|(item, grants)| view! {
                        <tr>
                            <td>{item}</td>
                            <td class="wrap">
                                {grants.iter().map(|g| view! {
                                    <span class="through">"record " {record_link(tenant, &g.record_id)} ", via " {via(tenant, &g.via)}</span>
                                }).collect_view()}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
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
                        ", which names " {via(&tenant, &granted.via)}
                        ", through role " {role_link(&tenant, &granted.role_id)}
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
                                <li>"Record " {record_link(&tenant, &n.record_id)} " (via " {via(&tenant, &n.via)} "): " {reason(n.reason)}</li>
                            }).collect_view()}
                        </ul>
                    </div>
                }.into_any()
            }}
            <p class="muted">{format!("Computed at revision {revision}.")}</p>
        </section>
    }
}
