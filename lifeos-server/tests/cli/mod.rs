//! The `lifeos-server` binary: `--dev-token`, exit codes, serving, graceful shutdown.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lifeos-server"));
    for var in [
        "LIFEOS_JWT_SECRET",
        "LIFEOS_JWT_PUBLIC_KEYS",
        "LIFEOS_DATABASE_URL",
        "LIFEOS_BIND",
        "LIFEOS_REDIS_URL",
        "LIFEOS_AI_MODEL",
        "LIFEOS_AI_TIMEOUT_SECS",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ] {
        c.env_remove(var);
    }
    c
}

#[test]
fn dev_token_prints_a_verifiable_token_and_exits_0() {
    let user = "0190d5d7-a0c0-7b3e-8a1b-2c3d4e5f6a7b";
    let out = bin()
        .args([
            "--jwt-secret",
            SECRET,
            "--dev-token",
            user,
            "--tier",
            "pro",
            "--ttl",
            "120",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.ends_with('\n') && text.matches('\n').count() == 1);
    let keys = lifeos_server::AuthKeys::new(Some(SECRET), None, "authenticated").unwrap();
    let now = lifeos::store::Clock::now(&lifeos::store::SystemClock);
    let caller = keys
        .verify(text.trim(), now)
        .expect("the printed token verifies");
    assert_eq!(caller.user.to_string(), user);
    assert_eq!(caller.tier, lifeos::core::Tier::Pro);
    let payload = text.trim().split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["role"], "authenticated");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        120
    );
}

#[test]
fn dev_token_refuses_a_missing_secret_a_bad_uuid_or_tier_with_exit_2() {
    let user = "0190d5d7-a0c0-7b3e-8a1b-2c3d4e5f6a7b";
    for args in [
        vec!["--dev-token", user],
        vec!["--jwt-secret", SECRET, "--dev-token", "nope"],
        vec![
            "--jwt-secret",
            SECRET,
            "--dev-token",
            user,
            "--tier",
            "gold",
        ],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains(SECRET), "secrets are never printed");
    }
}

#[test]
fn bad_configuration_exits_2_naming_the_flag_and_binds_nothing() {
    let out = bin().args(["--bind", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--jwt-secret") && err.contains("LIFEOS_JWT_SECRET"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = bin()
        .args(["--jwt-public-keys", "/nonexistent/keys.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("--jwt-public-keys") && err.contains("LIFEOS_JWT_PUBLIC_KEYS"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(
        &junk,
        "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    )
    .unwrap();
    let out = bin().arg("--jwt-public-keys").arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_malformed_value_is_one_line_naming_the_flag_and_variable_exit_2() {
    for (args, env) in [
        (vec!["--max-body-bytes", "lots"], None),
        (vec![], Some(("LIFEOS_REQUEST_TIMEOUT_SECS", "soon"))),
        (vec!["--rate-limit-multiplier", "-1"], None),
        (vec!["--bind", "not-an-address"], None),
        (vec!["--ai-timeout-secs", "0"], None),
        (vec![], Some(("LIFEOS_AI_TIMEOUT_SECS", "soon"))),
    ] {
        let mut c = bin();
        c.env("LIFEOS_JWT_SECRET", SECRET).args(&args);
        if let Some((k, v)) = env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        let named = [
            "max-body-bytes",
            "request-timeout-secs",
            "rate-limit-multiplier",
            "bind",
            "ai-timeout-secs",
        ]
        .iter()
        .any(|f| {
            err.contains(&format!("--{f}"))
                && err.contains(&format!(
                    "LIFEOS_{}",
                    f.to_ascii_uppercase().replace('-', "_")
                ))
        });
        assert!(named, "{err}");
        assert!(!err.contains(SECRET));
    }
}

#[test]
fn a_store_that_cannot_open_exits_1() {
    let out = bin()
        .args([
            "--jwt-secret",
            SECRET,
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "sqlite:///nonexistent-dir/x/lifeos.db",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8(out.stderr).unwrap().contains(SECRET));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_binary_serves_and_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let db = format!("sqlite://{}", dir.path().join("lifeos.db").display());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_lifeos-server"))
        .env_remove("LIFEOS_REDIS_URL")
        .env("LIFEOS_JWT_SECRET", SECRET)
        .args([
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &db,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let http = crate::support::http_client();
    let base = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{base}/ready")).send().await {
            up = r.status() == 200;
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server became ready");
    let user = lifeos::core::UserId::from_uuid(uuid::Uuid::from_u128(42));
    let token = lifeos_server::auth::dev_token(
        SECRET,
        user,
        "authenticated",
        None,
        lifeos::store::Clock::now(&lifeos::store::SystemClock),
        60,
    )
    .unwrap();
    let r = http
        .post(format!("{base}/api/v1/tasks"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "From the binary"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pid = child.id().unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(40), child.wait())
        .await
        .expect("exits after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// Starts the binary on a free port with `env` and `args` (and a fresh SQLite file);
/// waits for `/ready`.
async fn spawn_ready(
    dir: &tempfile::TempDir,
    env: &[(&str, &str)],
    args: &[&str],
) -> (tokio::process::Child, String) {
    let port = free_port();
    let db = format!("sqlite://{}", dir.path().join("lifeos.db").display());
    let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_lifeos-server"));
    for var in [
        "LIFEOS_REDIS_URL",
        "LIFEOS_AI_MODEL",
        "LIFEOS_AI_TIMEOUT_SECS",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
    ] {
        c.env_remove(var);
    }
    c.env("LIFEOS_JWT_SECRET", SECRET)
        .envs(env.iter().copied())
        .args([
            "--bind",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &db,
        ])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let child = c.spawn().unwrap();
    let http = crate::support::http_client();
    let base = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if let Ok(r) = http.get(format!("{base}/ready")).send().await
            && r.status() == 200
        {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

/// Creates a task through `base` and asks for its breakdown: the status.
async fn breakdown_status(base: &str) -> u16 {
    let http = crate::support::http_client();
    let user = lifeos::core::UserId::from_uuid(uuid::Uuid::from_u128(43));
    let token = lifeos_server::auth::dev_token(
        SECRET,
        user,
        "authenticated",
        Some(lifeos::core::Tier::Pro),
        lifeos::store::Clock::now(&lifeos::store::SystemClock),
        60,
    )
    .unwrap();
    let t: serde_json::Value = http
        .post(format!("{base}/api/v1/tasks"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "Write the report", "estimated_minutes": 60}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = t["id"].as_str().unwrap();
    http.post(format!("{base}/api/v1/tasks/{id}/breakdown"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reads_the_model_from_its_variables_and_flags() {
    let fake = crate::support::openai::FakeModel::start().await;
    let url = fake.base_url.clone();
    let env = [
        ("OPENAI_API_KEY", "sk-from-env"),
        ("OPENAI_BASE_URL", url.as_str()),
        ("LIFEOS_AI_MODEL", "model-from-env"),
        ("LIFEOS_AI_TIMEOUT_SECS", "5"),
    ];
    // The variables: the key, the base URL and the model reach the model's server.
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = spawn_ready(&dir, &env, &[]).await;
    assert_eq!(breakdown_status(&base).await, 200);
    drop(child);
    let (sent, auth) = fake.received().pop().unwrap();
    assert_eq!(sent["model"], "model-from-env");
    assert_eq!(auth.as_deref(), Some("Bearer sk-from-env"));

    // A flag beats its variable.
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = spawn_ready(&dir, &env, &["--ai-model", "model-from-flag"]).await;
    assert_eq!(breakdown_status(&base).await, 200);
    drop(child);
    assert_eq!(fake.received().pop().unwrap().0["model"], "model-from-flag");
    assert_eq!(fake.requests(), 2);

    // No key: no model, breakdown 503, nothing asked.
    let dir = tempfile::tempdir().unwrap();
    let (child, base) = spawn_ready(&dir, &[("OPENAI_BASE_URL", url.as_str())], &[]).await;
    assert_eq!(breakdown_status(&base).await, 503);
    drop(child);
    assert_eq!(fake.requests(), 2);
}
