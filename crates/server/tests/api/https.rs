//! HTTPS with a self-signed certificate made at test time.

use tessera_server::config::TlsFiles;
use tessera_server::startup::Application;

use crate::helpers::*;

#[tokio::test]
async fn https_serves_the_api_and_plain_http_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let mut settings = test_settings(&dir.path().join("data"));
    settings.tls = Some(TlsFiles { cert: cert_path, key: key_path });
    let app = Application::build(settings).await.unwrap();
    assert!(app.is_tls());
    let port = app.local_addr().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let client = Client::with_http(format!("https://localhost:{port}"), trusting);
    let login = client.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let session = login.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(session.contains("; Secure"), "a session cookie over HTTPS is Secure: {session}");
    let token = login.json()["access_token"].as_str().unwrap().to_owned();
    let users = client.get("/api/v1/users", &token).await;
    assert_eq!(users.status, 200);
    assert!(users.text.contains(ADMIN_EMAIL));

    // A client that does not trust the certificate cannot connect; nor can plain HTTP.
    let untrusting = reqwest::Client::new();
    assert!(
        untrusting.get(format!("https://localhost:{port}/api/auth/isauth")).send().await.is_err()
    );
    let plain =
        reqwest::Client::new().get(format!("http://localhost:{port}/api/auth/isauth")).send().await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
