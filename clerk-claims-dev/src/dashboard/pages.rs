//! The dashboard's pages as HTML. Values from the store (names, metadata, claims) go through maud,
//! which escapes them; nothing here builds markup from strings.

use axum::http::StatusCode;
use maud::{DOCTYPE, Markup, html};
use serde_json::Value;

use clerk_claims_runtime::SessionClaims;
use clerk_claims_runtime::times::{REFRESH_INTERVAL, TOKEN_LIFETIME, TokenTimes, http_date, relative};

use crate::IssuerInfo;
use crate::store::{ApiError, Counts};

/// When a client should fetch a fresh session token: at this share of its lifetime, as Clerk's
/// SDKs refresh (50 s of 60: 83 %).
const REFRESH_PERCENT: u8 = (REFRESH_INTERVAL.as_secs() * 100 / TOKEN_LIFETIME.as_secs()) as u8;

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · clerk-claims dev" }
                link rel="stylesheet" href="/assets/dashboard.css";
                script src="/assets/dashboard.js" defer {}
            }
            body {
                nav {
                    strong { "clerk-claims dev" }
                    a href="/" { "Instance" }
                    a href="/users" { "Users" }
                    a href="/organizations" { "Organizations" }
                    a href="/templates" { "JWT templates" }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The Clerk-shaped error a form got, as the Backend API would answer it.
fn error_box(error: Option<&ApiError>) -> Markup {
    html! {
        @if let Some(error) = error {
            div.error role="alert" data-testid="error" {
                p { strong { (error.status) " " (error.code) } ": " (error.long_message) }
                pre { (pretty(&error.body())) }
            }
        }
    }
}

pub(super) fn error_page(error: &ApiError) -> Markup {
    layout("Error", error_box(Some(error)))
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn str_of<'v>(value: &'v Value, field: &str) -> &'v str {
    value.get(field).and_then(Value::as_str).unwrap_or_default()
}

/// A Backend API time (milliseconds) as a date and its distance from now.
fn when(value: &Value) -> Markup {
    let now = crate::store::now_ms() / 1000;
    match value.as_i64() {
        Some(ms) if ms / 1000 == now => html! { time title=(http_date(now)) { "just now" } },
        Some(ms) => {
            html! { time title=(http_date(ms / 1000)) { (relative((ms / 1000).saturating_sub(now))) } }
        }
        None => html! { "—" },
    }
}

fn user_name(user: &Value) -> String {
    let name = [str_of(user, "first_name"), str_of(user, "last_name")].join(" ").trim().to_string();
    if !name.is_empty() {
        return name;
    }
    user.pointer("/email_addresses/0/email_address")
        .and_then(Value::as_str)
        .unwrap_or("(no name)")
        .to_string()
}

pub(super) fn overview(info: &IssuerInfo, counts: Counts) -> Markup {
    layout(
        "Instance",
        html! {
            p { "A local Clerk-compatible instance. Applications verify its tokens against the JWKS below." }
            dl {
                dt { "Issuer" } dd { code { (info.issuer) } }
                dt { "JWKS" } dd { a href=(info.jwks_url) { code { (info.jwks_url) } } }
                dt { "Backend API" } dd { code { (info.api_url) "/v1" } }
                dt { "Publishable key" } dd { code { (info.publishable_key) } }
            }
            p { "The secret key is on the first line " code { "clerk-claims dev" } " printed; it is not shown here." }
            ul {
                li { a href="/users" { (counts.users) " users" } }
                li { (counts.active_sessions) " active sessions of " (counts.sessions) }
                li { a href="/organizations" { (counts.organizations) " organizations" } }
                li { a href="/templates" { (counts.templates) " JWT templates" } }
            }
        },
    )
}

pub(super) fn users(users: &[Value], error: Option<&ApiError>) -> Markup {
    layout(
        "Users",
        html! {
            (error_box(error))
            table {
                thead { tr { th { "Name" } th { "Id" } th { "Email" } th { "Created" } th { "Last sign-in" } } }
                tbody {
                    @for user in users {
                        tr {
                            td { a href={ "/users/" (str_of(user, "id")) } { (user_name(user)) } }
                            td { code { (str_of(user, "id")) } }
                            td { (user.pointer("/email_addresses/0/email_address").and_then(Value::as_str).unwrap_or("—")) }
                            td { (when(&user["created_at"])) }
                            td { (when(&user["last_sign_in_at"])) }
                        }
                    }
                }
            }
            h2 { "Create a user" }
            form method="post" action="/users" {
                label { "First name " input name="first_name"; }
                label { "Last name " input name="last_name"; }
                label { "Email " input name="email_address" type="email"; }
                label { "Public metadata (JSON) " textarea name="public_metadata" rows="3" placeholder="{\"role\": \"admin\"}" {} }
                button type="submit" { "Create user" }
            }
        },
    )
}

pub(super) fn user(
    user: &Value,
    sessions: &[Value],
    memberships: &[Value],
    error: Option<&ApiError>,
) -> Markup {
    let id = str_of(user, "id");
    layout(
        &user_name(user),
        html! {
            (error_box(error))
            p { code { (id) } " · " (user.pointer("/email_addresses/0/email_address").and_then(Value::as_str).unwrap_or("no email")) }
            h2 { "Sessions" }
            (sessions_table(sessions, memberships, &format!("/users/{id}")))
            form method="post" action={ "/users/" (id) "/sessions" } {
                (organization_select(memberships, ""))
                button type="submit" { "New session" }
            }
            h2 { "Organization memberships" }
            @if memberships.is_empty() { p { "None. Add one from an organization's page." } }
            ul {
                @for m in memberships {
                    li {
                        a href={ "/organizations/" (m.pointer("/organization/id").and_then(Value::as_str).unwrap_or_default()) } {
                            (m.pointer("/organization/name").and_then(Value::as_str).unwrap_or_default())
                        }
                        " · " code { (str_of(m, "role")) }
                        @for p in m["permissions"].as_array().into_iter().flatten() { " " code.permission { (p.as_str().unwrap_or_default()) } }
                    }
                }
            }
            h2 { "Public metadata" }
            form method="post" action={ "/users/" (id) "/metadata" } {
                textarea name="public_metadata" rows="6" { (pretty(&user["public_metadata"])) }
                button type="submit" { "Save public metadata" }
            }
        },
    )
}

/// `<select name="organization">` of the organizations a user belongs to (empty: none active).
fn organization_select(memberships: &[Value], selected: &str) -> Markup {
    html! {
        select name="organization" aria-label="Active organization" {
            option value="" { "No active organization" }
            @for m in memberships {
                @let org = m.pointer("/organization/id").and_then(Value::as_str).unwrap_or_default();
                option value=(org) selected[org == selected] {
                    (m.pointer("/organization/name").and_then(Value::as_str).unwrap_or(org))
                }
            }
        }
    }
}

/// The multi-session view: status, active organization, last activity; revoke and switch.
fn sessions_table(sessions: &[Value], memberships: &[Value], back: &str) -> Markup {
    html! {
        @if sessions.is_empty() { p { "No sessions." } }
        @else {
            table.sessions {
                thead { tr { th { "Session" } th { "Client" } th { "Status" } th { "Active organization" } th { "Last active" } th {} } }
                tbody {
                    @for s in sessions {
                        @let id = str_of(s, "id");
                        tr data-session=(id) {
                            td { a href={ "/sessions/" (id) } { code { (id) } } }
                            td { a href={ "/sessions?client_id=" (str_of(s, "client_id")) } { code { (str_of(s, "client_id")) } } }
                            td { span class={ "status " (str_of(s, "status")) } { (str_of(s, "status")) } }
                            td {
                                @if str_of(s, "status") == "active" && !memberships.is_empty() {
                                    form.inline method="post" action={ "/sessions/" (id) "/organization" } {
                                        input type="hidden" name="back" value=(back);
                                        (organization_select(memberships, str_of(s, "last_active_organization_id")))
                                        button type="submit" { "Switch" }
                                    }
                                } @else {
                                    (s["last_active_organization_id"].as_str().unwrap_or("—"))
                                }
                            }
                            td { (when(&s["last_active_at"])) }
                            td {
                                @if str_of(s, "status") == "active" {
                                    form.inline method="post" action={ "/sessions/" (id) "/revoke" } {
                                        input type="hidden" name="back" value=(back);
                                        button.danger type="submit" { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn sessions(sessions: &[Value], query: &[(String, String)]) -> Markup {
    let of = query.iter().find(|(k, _)| k != "limit").map(|(k, v)| format!("{k} {v}")).unwrap_or_default();
    layout(
        "Sessions",
        html! {
            p { "Every session of " code { (of) } ", newest first." }
            (sessions_table(sessions, &[], "/sessions"))
        },
    )
}

/// A token just minted, as the session page shows it.
pub(crate) struct Token {
    pub jwt: String,
    /// The JWT template's name; `None` for a session token.
    pub template: Option<String>,
    pub header: Value,
    pub claims: Value,
    /// A session token read as `SessionClaims`.
    pub typed: Option<Markup>,
    /// Whether it verifies against the instance's keys now; the reason when not.
    pub verdict: Result<(), String>,
}

/// A session token as this project reads it: `SessionClaims` with the organization resolved and
/// the moments a client cares about.
pub(super) fn typed_session(claims: &SessionClaims<Value>, now: i64) -> Markup {
    let times = claims.times();
    html! {
        dl.typed {
            dt { "user_id()" } dd { code { (claims.user_id()) } }
            dt { "sid" } dd { code { (claims.sid) } }
            dt { "status" } dd { (claims.status.as_deref().unwrap_or("—")) }
            @if let Some(org) = &claims.organization {
                dt { "organization.id" } dd { code { (org.id) } }
                dt { "organization.slug" } dd { (org.slug.as_deref().unwrap_or("—")) }
                dt { "organization.role" } dd { code data-testid="org-role" { (org.role.as_deref().unwrap_or("—")) } }
                dt { "organization.permissions" } dd data-testid="org-permissions" {
                    @for p in &org.permissions { code.permission { (p) } " " }
                }
            } @else {
                dt { "organization" } dd { "None (personal account)" }
            }
            dt { "custom" } dd { pre { (pretty(&claims.custom)) } }
            dt { "times().issued_at" } dd { (http_date(times.issued_at)) }
            dt { "times().expires_at" } dd { (http_date(times.expires_at)) " (" (relative(times.expires_at.saturating_sub(now))) ")" }
            dt { "times().refresh_at(" (REFRESH_PERCENT) ")" } dd data-refresh-at=(times.refresh_at(REFRESH_PERCENT)) {
                (http_date(times.refresh_at(REFRESH_PERCENT)))
            }
        }
    }
}

fn token_panel(token: &Token) -> Markup {
    let exp = token.claims.get("exp").and_then(Value::as_i64).unwrap_or_default();
    let iat = token.claims.get("iat").and_then(Value::as_i64).unwrap_or(exp);
    let refresh = TokenTimes { issued_at: iat, expires_at: exp }.refresh_at(REFRESH_PERCENT);
    html! {
        section.token data-testid="token" data-exp=(exp) data-refresh-at=(refresh) data-template=[token.template.as_ref().map(|_| "true")] {
            h2 {
                @match &token.template { Some(name) => { "Template token (" (name) ")" } None => { "Session token" } }
            }
            div.jwt {
                textarea readonly rows="4" data-testid="jwt" { (token.jwt) }
                button type="button" data-copy="jwt" { "Copy" }
            }
            p.countdown {
                "Expires in " strong data-testid="countdown" { (exp.saturating_sub(crate::store::now_ms() / 1000)) " s" }
                " · refresh at " span data-testid="refresh" { (http_date(refresh)) }
                " · "
                @match &token.verdict {
                    Ok(()) => { span.verdict.ok data-testid="verdict" { "verifies" } }
                    Err(reason) => { span.verdict.bad data-testid="verdict" { "does not verify: " (reason) } }
                }
            }
            div.columns {
                div { h3 { "Header" } pre { (pretty(&token.header)) } }
                div { h3 { "Claims" } pre data-testid="claims" { (pretty(&token.claims)) } }
                @if let Some(typed) = &token.typed { div { h3 { "As SessionClaims" } (typed) } }
            }
        }
    }
}

pub(super) fn session(
    session: &Value,
    memberships: &[Value],
    templates: &[Value],
    token: Option<&Token>,
    error: Option<&ApiError>,
) -> Markup {
    let id = str_of(session, "id");
    let user = str_of(session, "user_id");
    let active = str_of(session, "status") == "active";
    layout(
        &format!("Session {id}"),
        html! {
            (error_box(error))
            dl {
                dt { "User" } dd { a href={ "/users/" (user) } { code { (user) } } }
                dt { "Client" } dd { a href={ "/sessions?client_id=" (str_of(session, "client_id")) } { code { (str_of(session, "client_id")) } } }
                dt { "Status" } dd { span class={ "status " (str_of(session, "status")) } data-testid="status" { (str_of(session, "status")) } }
                dt { "Active organization" } dd { (session["last_active_organization_id"].as_str().unwrap_or("—")) }
                dt { "Last active" } dd { (when(&session["last_active_at"])) }
                dt { "Expires" } dd { (when(&session["expire_at"])) }
            }
            @if active {
                form.inline method="post" action={ "/sessions/" (id) "/tokens" } {
                    select name="template" aria-label="Token" {
                        option value="" { "Session token" }
                        @for t in templates { option value=(str_of(t, "name")) { "Template: " (str_of(t, "name")) } }
                    }
                    button type="submit" { "Mint token" }
                }
                @if !memberships.is_empty() {
                    form.inline method="post" action={ "/sessions/" (id) "/organization" } {
                        (organization_select(memberships, str_of(session, "last_active_organization_id")))
                        button type="submit" { "Switch organization" }
                    }
                }
                form.inline method="post" action={ "/sessions/" (id) "/revoke" } {
                    button.danger type="submit" { "Revoke" }
                }
            } @else {
                p { "This session is " (str_of(session, "status")) "; it gets no tokens." }
            }
            @if let Some(token) = token { (token_panel(token)) }
        },
    )
}

pub(super) fn organizations(organizations: &[Value], users: &[Value], error: Option<&ApiError>) -> Markup {
    layout(
        "Organizations",
        html! {
            (error_box(error))
            table {
                thead { tr { th { "Name" } th { "Slug" } th { "Id" } th { "Members" } } }
                tbody {
                    @for o in organizations {
                        tr {
                            td { a href={ "/organizations/" (str_of(o, "id")) } { (str_of(o, "name")) } }
                            td { code { (str_of(o, "slug")) } }
                            td { code { (str_of(o, "id")) } }
                            td { (o["members_count"]) }
                        }
                    }
                }
            }
            h2 { "Create an organization" }
            form method="post" action="/organizations" {
                label { "Name " input name="name"; }
                label { "Slug " input name="slug" placeholder="derived from the name"; }
                label { "Created by " (user_select(users, "created_by", true)) }
                button type="submit" { "Create organization" }
            }
        },
    )
}

fn user_select(users: &[Value], name: &str, optional: bool) -> Markup {
    html! {
        select name=(name) {
            @if optional { option value="" { "—" } }
            @for u in users { option value=(str_of(u, "id")) { (user_name(u)) " (" (str_of(u, "id")) ")" } }
        }
    }
}

pub(super) fn organization(
    organization: &Value,
    members: &[Value],
    users: &[Value],
    error: Option<&ApiError>,
) -> Markup {
    let id = str_of(organization, "id");
    layout(
        str_of(organization, "name"),
        html! {
            (error_box(error))
            p { code { (id) } " · slug " code { (str_of(organization, "slug")) } }
            h2 { "Members" }
            table {
                thead { tr { th { "User" } th { "Role" } th { "Permissions" } } }
                tbody {
                    @for m in members {
                        @let user = m.pointer("/public_user_data/user_id").and_then(Value::as_str).unwrap_or_default();
                        tr {
                            td { a href={ "/users/" (user) } { code { (user) } } }
                            td { code { (str_of(m, "role")) } }
                            td { @for p in m["permissions"].as_array().into_iter().flatten() { code.permission { (p.as_str().unwrap_or_default()) } " " } }
                        }
                    }
                }
            }
            h2 { "Add a member" }
            form method="post" action={ "/organizations/" (id) "/memberships" } {
                label { "User " (user_select(users, "user_id", false)) }
                label { "Role " input name="role" value="org:member"; }
                label { "Permissions (comma-separated) " input name="permissions" placeholder="org:billing:manage, org:reports:read"; }
                button type="submit" { "Add member" }
            }
        },
    )
}

/// One of the engine's diagnostics, as `check` prints it and located for the page.
pub(crate) struct Diagnostic {
    pub at: Option<(usize, usize)>,
    pub severity: &'static str,
    pub code: &'static str,
    pub message: String,
    pub help: Option<String>,
    /// The whole report as `clerk-claims check` prints it.
    pub rendered: String,
}

/// The template editor's state: the text, the engine's verdict, a preview.
pub(crate) struct Editor {
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The claims rendered for the chosen user, or the Clerk-shaped error that stopped it.
    pub preview: Option<Result<Value, Value>>,
    pub user_id: String,
    pub organization: String,
    pub users: Vec<Value>,
    pub organizations: Vec<Value>,
    /// Active sessions a token can be minted for: (session id, user id).
    pub sessions: Vec<(String, String)>,
    /// What saving answered.
    pub error: Option<ApiError>,
}

impl Editor {
    pub(super) fn blank() -> Editor {
        Editor {
            text: "{\n  \"name\": \"api\",\n  \"claims\": {\n    \"email\": \"{{user.primary_email_address}}\"\n  }\n}".into(),
            diagnostics: Vec::new(),
            preview: None,
            user_id: String::new(),
            organization: String::new(),
            users: Vec::new(),
            organizations: Vec::new(),
            sessions: Vec::new(),
            error: None,
        }
    }

    /// 422 when the template has errors or saving failed, as the API would answer.
    pub(super) fn status(&self) -> StatusCode {
        match &self.error {
            Some(error) => StatusCode::from_u16(error.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            None if self.diagnostics.iter().any(|d| d.severity == "error") => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            None => StatusCode::OK,
        }
    }
}

fn editor_form(action: &str, editor: &Editor) -> Markup {
    html! {
        (error_box(editor.error.as_ref()))
        form.editor method="post" action=(action) {
            textarea name="text" rows="16" spellcheck="false" data-testid="template-text" { (editor.text) }
            div.preview-for {
                label { "Preview for " select name="user_id" {
                    option value="" { "—" }
                    @for u in &editor.users { option value=(str_of(u, "id")) selected[str_of(u, "id") == editor.user_id] { (user_name(u)) } }
                } }
                label { " in " select name="organization" {
                    option value="" { "no organization" }
                    @for o in &editor.organizations { option value=(str_of(o, "id")) selected[str_of(o, "id") == editor.organization] { (str_of(o, "name")) } }
                } }
            }
            button type="submit" name="action" value="preview" { "Check and preview" }
            button type="submit" name="action" value="save" { "Save" }
        }
        @if !editor.diagnostics.is_empty() {
            ul.diagnostics data-testid="diagnostics" {
                @for d in &editor.diagnostics {
                    li class=(d.severity) {
                        @if let Some((line, column)) = d.at { span.at { "line " (line) ", column " (column) } " " }
                        strong { (d.severity) "[" (d.code) "]" } ": " (d.message)
                        @if let Some(help) = &d.help { br; em { "help: " (help) } }
                        details { summary { "As check prints it" } pre { (d.rendered) } }
                    }
                }
            }
        } @else {
            p.ok data-testid="diagnostics-clean" { "No problems found." }
        }
        @match &editor.preview {
            Some(Ok(claims)) => { h3 { "Preview" } pre data-testid="preview" { (pretty(claims)) } }
            Some(Err(error)) => { h3 { "Preview" } div.error role="alert" { pre { (pretty(error)) } } }
            None => {}
        }
    }
}

pub(super) fn templates(templates: &[Value], editor: &Editor) -> Markup {
    layout(
        "JWT templates",
        html! {
            table {
                thead { tr { th { "Name" } th { "Id" } th { "Lifetime" } th { "Custom key" } } }
                tbody {
                    @for t in templates {
                        tr {
                            td { a href={ "/templates/" (str_of(t, "id")) } { (str_of(t, "name")) } }
                            td { code { (str_of(t, "id")) } }
                            td { (t["lifetime"]) " s" }
                            td { (t["custom_signing_key"]) }
                        }
                    }
                }
            }
            h2 { "Create a template" }
            (editor_form("/templates", editor))
        },
    )
}

pub(super) fn template(stored: &Value, editor: &Editor) -> Markup {
    let id = str_of(stored, "id");
    let name = str_of(stored, "name");
    layout(
        &format!("JWT template {name}"),
        html! {
            p { code { (id) } " · updated " (when(&stored["updated_at"])) }
            (editor_form(&format!("/templates/{id}"), editor))
            h2 { "Mint a token" }
            @if editor.sessions.is_empty() { p { "No active session: create one on a user's page." } }
            @for (session, user) in &editor.sessions {
                form.inline method="post" action={ "/sessions/" (session) "/tokens" } {
                    input type="hidden" name="template" value=(name);
                    button type="submit" { "Mint for " code { (session) } " (" (user) ")" }
                }
            }
        },
    )
}
