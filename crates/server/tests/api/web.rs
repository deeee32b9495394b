//! The web app through HTTP, as a browser sees it: redirects when signed out, the sign-in form
//! (XSRF, errors, throttling, returnTo), Admin for administrators only, the escaping of stored
//! values, the headers of every page, My Profile's password and API token, and signing out.

use std::collections::BTreeMap;

use reqwest::Method;
use reqwest::redirect::Policy;
use serde_json::json;

use crate::helpers::*;

/// A browser: keeps the cookies it is given, follows no redirect by itself.
struct Browser {
    base: String,
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Browser { base: app.client.base.clone(), http, cookies: BTreeMap::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Resp {
        let resp = req.header("Cookie", self.cookie_header()).send().await.unwrap();
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for set in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
            let (name, value) = set.split(';').next().unwrap().split_once('=').unwrap();
            if set.to_ascii_lowercase().contains("max-age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let text = resp.text().await.unwrap();
        assert_no_secrets(&text);
        Resp { status, headers, text }
    }

    async fn get(&mut self, path: &str) -> Resp {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    async fn post_form(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// A value of a hidden field of the page, such as `_xsrf`.
    fn field(page: &Resp, name: &str) -> String {
        value_after(page, &format!("name=\"{name}\" value=\""))
    }

    /// The value of the (password-type) input with this id.
    fn field_by_id(page: &Resp, id: &str) -> String {
        value_after(page, &format!("id=\"{id}\" type=\"password\" value=\""))
    }

    /// Signs in through the form; answers the redirect.
    async fn sign_in(&mut self, user: &str, password: &str, return_to: &str) -> Resp {
        let form = self.get(&format!("/app/account/login?returnTo={return_to}")).await;
        let xsrf = Self::field(&form, "_xsrf");
        let return_to = Self::field(&form, "returnTo");
        self.post_form(
            "/app/account/login",
            &[
                ("_xsrf", &xsrf),
                ("username", user),
                ("password", password),
                ("returnTo", &return_to),
            ],
        )
        .await
    }

    fn session(&self) -> String {
        self.cookies.get("tessera_session").cloned().unwrap_or_default()
    }
}

/// The attribute value that follows `marker` on the page.
fn value_after(page: &Resp, marker: &str) -> String {
    let start =
        page.text.find(marker).unwrap_or_else(|| panic!("no {marker} in {}", page.excerpt()));
    let rest = &page.text[start + marker.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn location(resp: &Resp) -> &str {
    resp.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
}

const PAGES: &[&str] = &[
    "/app/main/home",
    "/app/settings",
    "/app/settings/rest",
    "/app/settings/users",
    "/app/settings/groups",
    "/app/settings/features",
    "/app/profile",
    "/app/profile/password",
    "/app/profile/api-token",
];

#[tokio::test]
async fn signed_out_every_page_sends_to_sign_in_and_back() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    for page in PAGES {
        let resp = browser.get(page).await;
        assert_eq!(resp.status, 303, "{page}");
        let expected = format!("/app/account/login?returnTo={}", page.replace('/', "%2F"));
        assert_eq!(location(&resp), expected, "{page}");
    }
    assert_eq!(location(&browser.get("/").await), "/app/account/login");
    // A forged session cookie is no session either.
    browser.cookies.insert("tessera_session".into(), "forged".into());
    assert_eq!(browser.get("/app/main/home").await.status, 303);

    let signed_in = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2Fapp%2Fprofile").await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.text);
    assert_eq!(location(&signed_in), "/app/profile");
    assert_eq!(location(&browser.get("/").await), "/app/main/home");
    for page in PAGES.iter().filter(|p| !p.ends_with("api-token")) {
        assert_eq!(browser.get(page).await.status, 200, "{page}");
    }
}

#[tokio::test]
async fn the_sign_in_form_shows_errors_and_never_the_password() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/app/account/login").await;
    for text in ["Username/Email", "Password", "Remember me", ">Login<", "<label"] {
        assert!(form.text.contains(text), "{text} missing from the form");
    }
    let wrong = browser.sign_in(ADMIN_EMAIL, "Wrong-Passw0rd-typed", "%2F").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.text.contains("Invalid username or password."), "{}", wrong.excerpt());
    assert!(!wrong.text.contains("Wrong-Passw0rd-typed"), "the password was echoed");
    assert!(wrong.text.contains(ADMIN_EMAIL), "the user name is kept in the form");
    assert!(browser.session().is_empty());

    // Without the form's XSRF value (another site posting the form): refused, no session.
    let forged = browser
        .post_form(
            "/app/account/login",
            &[("_xsrf", "0000"), ("username", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert!(browser.session().is_empty());
}

#[tokio::test]
async fn a_throttled_sign_in_says_how_long_to_wait() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    for _ in 0..5 {
        assert_eq!(browser.sign_in(ADMIN_EMAIL, "Wrong-Passw0rd", "%2F").await.status, 401);
    }
    let throttled = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2F").await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.text.contains("try again in"), "{}", throttled.excerpt());
}

#[tokio::test]
async fn return_to_stays_on_this_site() {
    let app = spawn_app().await;
    for (asked, expected) in [
        ("%2Fapp%2Fsettings%2Fusers%3Fsearch%3Dx", "/app/settings/users?search=x"),
        ("%2F%2Fevil.example%2F", "/app/main/home"),
        ("https%3A%2F%2Fevil.example%2F", "/app/main/home"),
        ("%2F%5Cevil.example", "/app/main/home"),
        ("evil.example", "/app/main/home"),
    ] {
        let mut browser = Browser::new(&app);
        let resp = browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, asked).await;
        assert_eq!(resp.status, 303, "{asked}");
        assert_eq!(location(&resp), expected, "{asked}");
    }
}

#[tokio::test]
async fn remember_me_makes_the_session_outlive_the_browser() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    let form = browser.get("/app/account/login").await;
    let xsrf = Browser::field(&form, "_xsrf");
    let resp = browser
        .post_form(
            "/app/account/login",
            &[
                ("_xsrf", &xsrf),
                ("username", ADMIN_EMAIL),
                ("password", ADMIN_PASSWORD),
                ("rememberMe", "true"),
            ],
        )
        .await;
    let session = resp.headers.get_all("set-cookie").iter().find_map(|v| {
        let v = v.to_str().unwrap();
        v.starts_with("tessera_session=").then(|| v.to_ascii_lowercase())
    });
    assert!(session.unwrap().contains("max-age="), "a remembered session has an age");
}

#[tokio::test]
async fn admin_is_for_administrators_and_others_get_a_403_page() {
    let app = spawn_app().await;
    app.user_with_role("consumer", "viewer@example.com").await;
    app.user_with_role("contributor", "designer@example.com").await;
    for user in ["viewer@example.com", "designer@example.com"] {
        let mut browser = Browser::new(&app);
        browser.sign_in(user, "user-passw0rd", "%2F").await;
        let home = browser.get("/app/main/home").await;
        assert_eq!(home.status, 200);
        assert!(!home.text.contains("href=\"/app/settings\""), "{user} sees the Admin link");
        for page in PAGES.iter().filter(|p| p.starts_with("/app/settings")) {
            let resp = browser.get(page).await;
            assert_eq!(resp.status, 403, "{user} {page}");
            assert!(resp.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        }
    }
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2F").await;
    let rest = admin.get("/app/settings").await;
    assert!(
        rest.text.contains("REST API Reference") && rest.text.contains("href=\"/dev/api/docs/\"")
    );
    assert!(admin.get("/app/main/home").await.text.contains("href=\"/app/settings\""));
}

#[tokio::test]
async fn stored_values_are_text_on_every_page_and_pages_carry_their_headers() {
    let app = spawn_app().await;
    let script = "<script>alert(1)</script>";
    let user = app
        .create_user(
            json!({"email": "x@example.com", "firstName": script, "password": "user-passw0rd"}),
        )
        .await;
    let group = app.create_group(json!({"name": script})).await;
    let gid = id_of(&group);
    app.post(&format!("/api/groups/{gid}/users"), &app.admin, &json!([id_of(&user)])).await;
    let dash = app
        .post(
            "/api/v1/dashboards",
            &app.admin,
            &json!({"title": script, "widgets": [{"title": script, "type": "chart/bar"}]}),
        )
        .await
        .json();

    let mut browser = Browser::new(&app);
    browser.sign_in("x@example.com", "user-passw0rd", "%2F").await;
    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2F").await;
    let oid = dash["oid"].as_str().unwrap();
    for path in ["/app/main/home", "/app/profile"] {
        let page = browser.get(path).await;
        // Shown as text: the characters escaped as HTML entities (numeric, as askama writes them).
        let shown = page.text.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assert!(shown, "{path}: {}", page.excerpt());
        assert!(!page.text.contains(script), "{path} holds a live script");
    }
    for path in [
        "/app/settings/users".to_owned(),
        "/app/settings/groups".to_owned(),
        format!("/app/settings/groups/{gid}"),
        "/app/main/home".to_owned(),
        format!("/app/main/dashboards/{oid}"),
    ] {
        let page = admin.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.text.contains(script), "{path} holds a live script");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert_eq!(page.headers["x-content-type-options"], "nosniff");
        assert_eq!(page.headers["referrer-policy"], "same-origin");
        assert!(!page.text.contains(" style=\""), "{path}: inline style breaks the policy");
        assert!(!page.text.contains("<script>"), "{path}: inline script breaks the policy");
    }
    let dashboard = admin.get(&format!("/app/main/dashboards/{oid}")).await;
    assert!(dashboard.text.contains("chart/bar"), "the widget's type is listed");
}

#[tokio::test]
async fn home_shows_owned_and_shared_dashboards_with_owner_and_rule() {
    let app = spawn_app().await;
    let (viewer, token) = app.user_with_role("consumer", "viewer@example.com").await;
    let folder = app.post("/api/v1/folders", &app.admin, &json!({"name": "Finance"})).await.json();
    let shares = json!([{"shareId": id_of(&viewer), "type": "user", "rule": "view"}]);
    app.post(
        "/api/v1/dashboards",
        &app.admin,
        &json!({"title": "Shared Sales", "shares": shares, "parentFolder": folder["oid"]}),
    )
    .await;
    app.post("/api/v1/dashboards", &app.admin, &json!({"title": "Admin Only"})).await;
    let own = app.post("/api/v1/dashboards", &token, &json!({"title": "Mine"})).await;
    assert_eq!(own.status, 403, "a viewer creates no dashboards: {}", own.text);

    let mut browser = Browser::new(&app);
    browser.sign_in("viewer@example.com", "user-passw0rd", "%2F").await;
    let home = browser.get("/app/main/home").await;
    assert!(home.text.contains("Shared Sales"), "{}", home.excerpt());
    assert!(home.text.contains(ADMIN_EMAIL) && home.text.contains("can view"));
    assert!(!home.text.contains("Admin Only"));

    let mut admin = Browser::new(&app);
    admin.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2F").await;
    let home = admin.get("/app/main/home").await;
    assert!(home.text.contains("Finance") && home.text.contains("Admin Only"));
    assert!(home.text.contains("owner"));
}

#[tokio::test]
async fn the_api_token_tab_follows_the_feature_switch_and_regenerates_on_the_session() {
    let app = spawn_app().await;
    let (user, old_token) = app.user_with_role("contributor", "d@example.com").await;
    let mut browser = Browser::new(&app);
    browser.sign_in("d@example.com", "user-passw0rd", "%2F").await;
    assert_eq!(browser.get("/app/profile/api-token").await.status, 404);
    assert!(!browser.get("/app/profile").await.text.contains("API Token"));

    app.patch("/api/v1/settings/features", &app.admin, &json!({"userProfile": {"apiToken": true}}))
        .await;
    assert!(browser.get("/app/profile").await.text.contains("API Token"));
    let tab = browser.get("/app/profile/api-token").await;
    assert_eq!(tab.status, 200);
    let shown = Browser::field_by_id(&tab, "api-token");
    assert_eq!(app.get("/api/users/loggedin", &shown).await.json()["_id"], user["_id"]);
    let confirm = browser.get("/app/profile/api-token?confirm=true").await;
    assert!(confirm.text.contains("Exercise caution before regenerating an API token."));

    // Without the session's XSRF value: refused, nothing regenerated.
    let forged = browser.post_form("/app/profile/api-token/regenerate", &[("_xsrf", "x")]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.get("/api/users/loggedin", &shown).await.status, 200);

    let xsrf = Browser::field(&confirm, "_xsrf");
    let regenerated =
        browser.post_form("/app/profile/api-token/regenerate", &[("_xsrf", &xsrf)]).await;
    assert_eq!(regenerated.status, 200, "{}", regenerated.excerpt());
    let new = Browser::field_by_id(&regenerated, "api-token");
    assert_ne!(new, shown);
    for dead in [&shown, &old_token] {
        app.get("/api/users/loggedin", dead).await.assert_error(401, 5002);
    }
    assert_eq!(app.get("/api/users/loggedin", &new).await.status, 200);
    // The browser's session goes on, on its new cookie.
    assert_eq!(browser.get("/app/profile/api-token").await.status, 200);
}

#[tokio::test]
async fn a_password_change_checks_the_current_one_and_keeps_this_session() {
    let app = spawn_app().await;
    let (_, script_token) = app.user_with_role("consumer", "v@example.com").await;
    let mut browser = Browser::new(&app);
    browser.sign_in("v@example.com", "user-passw0rd", "%2F").await;
    let form = browser.get("/app/profile/password").await;
    let xsrf = Browser::field(&form, "_xsrf");
    let change = |current: &'static str, new: &'static str, confirm: &'static str| {
        let xsrf = xsrf.clone();
        move |b: &mut Browser| {
            let fields = [
                ("_xsrf", xsrf),
                ("current", current.into()),
                ("new", new.into()),
                ("confirm", confirm.into()),
            ];
            b.http.post(format!("{}/app/profile/password", b.base)).form(&fields)
        }
    };
    let wrong = change("not-it-at-all", "brand-new-passw0rd", "brand-new-passw0rd")(&mut browser);
    assert_eq!(browser.send(wrong).await.status, 403);
    let mismatch = change("user-passw0rd", "brand-new-passw0rd", "another-one")(&mut browser);
    assert_eq!(browser.send(mismatch).await.status, 400);
    assert_eq!(app.get("/api/users/loggedin", &script_token).await.status, 200, "nothing changed");

    let ok = change("user-passw0rd", "brand-new-passw0rd", "brand-new-passw0rd")(&mut browser);
    let done = browser.send(ok).await;
    assert_eq!(done.status, 200, "{}", done.excerpt());
    assert!(done.text.contains("Your password was changed."));
    app.get("/api/users/loggedin", &script_token).await.assert_error(401, 5002);
    assert_eq!(browser.get("/app/profile").await.status, 200, "this session continues");
    assert_eq!(app.login("v@example.com", "brand-new-passw0rd").await.status, 200);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = spawn_app().await;
    let mut browser = Browser::new(&app);
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD, "%2F").await;
    let session = browser.session();
    let home = browser.get("/app/main/home").await;
    let xsrf = Browser::field(&home, "_xsrf");
    // Without the XSRF value another site cannot sign the visitor out.
    assert_eq!(browser.post_form("/app/account/logout", &[("_xsrf", "x")]).await.status, 403);
    let out = browser.post_form("/app/account/logout", &[("_xsrf", &xsrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(location(&out), "/app/account/login");
    assert!(browser.session().is_empty(), "the cookie is cleared");
    assert_eq!(browser.get("/app/main/home").await.status, 303);
    let req = app
        .request(Method::GET, "/api/users/loggedin")
        .header("Cookie", format!("tessera_session={session}"));
    app.send(req).await.assert_error(401, 5002);
}

#[tokio::test]
async fn assets_and_the_reference_on_the_session() {
    let app = spawn_app().await;
    for (name, media_type) in
        [("app.css", "text/css"), ("app.js", "text/javascript"), ("logo.svg", "image/svg+xml")]
    {
        let resp = app.send(app.request(Method::GET, &format!("/app/assets/{name}"))).await;
        assert_eq!(resp.status, 200, "{name}");
        assert!(resp.headers["content-type"].to_str().unwrap().starts_with(media_type));
    }
    let missing = app.send(app.request(Method::GET, "/app/assets/nope.js")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(app.send(app.request(Method::GET, "/app/no/such/page")).await.status, 404);

    let init = app.send(app.request(Method::GET, "/dev/api/docs/swagger-initializer.js")).await;
    assert!(init.text.contains("SwaggerUIBundle({"), "Swagger UI's own initializer is kept");
    assert!(init.text.contains("requestInterceptor") && init.text.contains("X-XSRF-TOKEN"));
    let page = app.send(app.request(Method::GET, "/dev/api/docs/")).await;
    assert!(
        page.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}
