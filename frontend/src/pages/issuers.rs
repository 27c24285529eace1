//! The identity providers a tenant trusts (SPEC §6): their list and editor. The keys are
//! either a JWKS URL or a JWKS document pasted in; the server checks either, and every
//! mistake of a save is shown beside its field.

use leptos::prelude::*;
use portcullis_api::{Issuer, IssuerIn, TokenAlgorithm};

use super::editor::{Editor, EditorFrame, IdFrom, NEW, ObjectList, TextArea, TextField, fill_from};
use super::objects::new_id;
use crate::api;
use crate::ui::{FieldErrors, split_list, when};

const ALGORITHMS: [(TokenAlgorithm, &str); 3] = [
    (TokenAlgorithm::RS256, "RS256"),
    (TokenAlgorithm::ES256, "ES256"),
    (TokenAlgorithm::EdDSA, "EdDSA"),
];

fn names(algorithms: &[TokenAlgorithm]) -> String {
    ALGORITHMS
        .iter()
        .filter(|(alg, _)| algorithms.contains(alg))
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tenant's trusted issuers.
#[component]
pub fn IssuerList() -> impl IntoView {
    view! {
        <ObjectList
            title="Identity issuers"
            new_label="New issuer"
            columns=&["Issuer", "Name", "iss", "Keys", "Algorithms", "Updated"]
            row=|issuer: &Issuer, base| {
                let keys = match &issuer.jwks_url {
                    Some(url) => url.clone(),
                    None => "inline keys".to_owned(),
                };
                view! {
                    <td><a href=format!("{base}/issuers/{}", api::enc(&issuer.issuer_id))>{issuer.issuer_id.clone()}</a></td>
                    <td>{issuer.name.clone()}</td>
                    <td class="wrap">{issuer.issuer.clone()}</td>
                    <td class="wrap">{keys}</td>
                    <td>{names(&issuer.algorithms)}</td>
                    <td>{when(&issuer.updated_at)}</td>
                }
                    .into_any()
            }
            new_href=|base| format!("{base}/issuers/{NEW}")
            empty="No issuers yet. Register your identity provider to check with users' own tokens (userToken, /me)."
        />
    }
}

/// Registers and edits an issuer.
#[component]
pub fn IssuerEditor() -> impl IntoView {
    let editor = Editor::<Issuer>::new(IdFrom::Path);
    let issuer_id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let iss = RwSignal::new(String::new());
    let audiences = RwSignal::new(String::new());
    let jwks_url = RwSignal::new(String::new());
    let jwks = RwSignal::new(String::new());
    let chosen = ALGORITHMS.map(|(alg, _)| (alg, RwSignal::new(false)));
    fill_from(editor, move |issuer: &Issuer| {
        issuer_id.set(issuer.issuer_id.clone());
        name.set(issuer.name.clone());
        iss.set(issuer.issuer.clone());
        audiences.set(issuer.audiences.join("\n"));
        jwks_url.set(issuer.jwks_url.clone().unwrap_or_default());
        jwks.set(
            issuer
                .jwks
                .as_ref()
                .and_then(|document| serde_json::to_string_pretty(document).ok())
                .unwrap_or_default(),
        );
        for (alg, on) in chosen {
            on.set(issuer.algorithms.contains(&alg));
        }
    });
    let errors = editor.form.errors;
    let save = Callback::new(move |_| {
        let url = jwks_url.get_untracked().trim().to_owned();
        let document = jwks.get_untracked().trim().to_owned();
        let body = IssuerIn {
            issuer_id: new_id(editor, issuer_id),
            name: name.get_untracked(),
            issuer: iss.get_untracked().trim().to_owned(),
            audiences: split_list(&audiences.get_untracked()),
            jwks_url: (!url.is_empty()).then_some(url),
            // Text that is not JSON goes as a string: the server names the mistake.
            jwks: (!document.is_empty()).then(|| {
                serde_json::from_str(&document).unwrap_or(serde_json::Value::String(document))
            }),
            algorithms: chosen
                .iter()
                .filter(|(_, on)| on.get_untracked())
                .map(|(alg, _)| *alg)
                .collect(),
            ..IssuerIn::default()
        };
        editor.save(body, |base, id| format!("{base}/issuers/{}", api::enc(id)));
    });
    let is_new = Signal::derive(move || editor.is_new());
    view! {
        <EditorFrame editor noun="Issuer" on_save=save>
            <Show when=move || is_new.get()>
                <TextField label="Issuer id" field="issuerId" value=issuer_id errors hint="Optional: generated (iss_…) when left empty."/>
            </Show>
            <TextField label="Name" field="name" value=name errors/>
            <TextField label="Issuer (iss)" field="issuer" value=iss errors hint="The `iss` claim of its tokens, exactly: https://acme.eu.auth0.com/"/>
            <TextArea label="Audiences (one per line)" field="audiences" value=audiences errors hint="A token must name one of these in `aud`."/>
            <TextField label="JWKS URL" field="jwksUrl" value=jwks_url errors hint="Where its public keys are published (https://). Or paste the keys below instead."/>
            <TextArea label="Keys (a JWKS document)" field="jwks" value=jwks errors hint="{\"keys\": [...]}: RSA, P-256 or Ed25519 public keys. Leave empty when a JWKS URL is given."/>
            <fieldset class="field choices">
                <legend>"Algorithms its tokens may use"</legend>
                {chosen
                    .into_iter()
                    .zip(ALGORITHMS)
                    .map(|((_, on), (_, label))| {
                        let id = format!("field-alg-{label}");
                        view! {
                            <span class="checkbox">
                                <input id=id.clone() type="checkbox" bind:checked=on/>
                                <label for=id>{label}</label>
                            </span>
                        }
                    })
                    .collect_view()}
                <FieldErrors errors field="algorithms"/>
            </fieldset>
        </EditorFrame>
    }
}
