//! The `lifeos-server` binary: flags and variables of API.md's "Running", `--dev-token`,
//! exit codes (2: bad configuration, 1: the store or the address cannot be opened),
//! graceful shutdown on SIGTERM/SIGINT.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use lifeos::store::{Clock, StoreOptions, SystemClock};
use lifeos_server::ai::AiSettings;
use lifeos_server::auth::{dev_token, parse_tier};
use lifeos_server::{AppState, AuthKeys, ServerConfig, router};

/// LifeOS REST API server.
#[derive(Debug, Parser)]
#[command(name = "lifeos-server", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "LIFEOS_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Store location: sqlite://PATH (created if missing) or postgres://….
    #[arg(
        long,
        env = "LIFEOS_DATABASE_URL",
        default_value = "sqlite://lifeos.db"
    )]
    database_url: String,
    /// HS256 secret.
    #[arg(long, env = "LIFEOS_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// PEM file (or PEM text) of RSA (RS256) and P-256 (ES256) public keys.
    #[arg(long, env = "LIFEOS_JWT_PUBLIC_KEYS", hide_env_values = true)]
    jwt_public_keys: Option<String>,
    /// Accepted `aud`.
    #[arg(long, env = "LIFEOS_JWT_AUDIENCE", default_value = "authenticated")]
    jwt_audience: String,
    /// Redis for shared rate limits.
    #[arg(long, env = "LIFEOS_REDIS_URL", hide_env_values = true)]
    redis_url: Option<String>,
    /// Comma-separated CORS origins.
    #[arg(long, env = "LIFEOS_CORS_ORIGIN")]
    cors_origin: Option<String>,
    /// Largest JSON body in bytes.
    #[arg(long, env = "LIFEOS_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    max_body_bytes: usize,
    /// Request timeout in seconds.
    #[arg(long, env = "LIFEOS_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    request_timeout_secs: u64,
    /// Multiplies every quota; 0 turns rate limits off.
    #[arg(
        long,
        env = "LIFEOS_RATE_LIMIT_MULTIPLIER",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    rate_limit_multiplier: f64,
    /// The language model asked for refinement and breakdown (with OPENAI_API_KEY set;
    /// OPENAI_BASE_URL for another OpenAI-compatible server).
    #[arg(long, env = "LIFEOS_AI_MODEL", default_value = lifeos_server::ai::DEFAULT_MODEL)]
    ai_model: String,
    /// Bounds each model call, retries included, in seconds (below the request timeout).
    #[arg(long, env = "LIFEOS_AI_TIMEOUT_SECS", default_value_t = 20)]
    ai_timeout_secs: u64,
    /// Print an HS256 token for this user id and exit.
    #[arg(long, value_name = "USER_UUID")]
    dev_token: Option<String>,
    /// The token's tier (with --dev-token).
    #[arg(long, requires = "dev_token")]
    tier: Option<String>,
    /// The token's lifetime in seconds (with --dev-token).
    #[arg(long, requires = "dev_token", default_value_t = 3600)]
    ttl: u64,
}

/// A configuration error: one line naming the flag and its variable, exit 2.
fn config_error(flag: &str, var: &str, what: &str) -> ExitCode {
    eprintln!("lifeos-server: --{flag} / {var}: {what}");
    ExitCode::from(2)
}

/// Parses the flags; a malformed one is one stderr line naming the flag and its variable.
fn parse_args() -> Result<Args, ExitCode> {
    use clap::error::{ContextKind, ErrorKind};
    match Args::try_parse() {
        Ok(args) => Ok(args),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            let _ = e.print();
            Err(ExitCode::SUCCESS)
        }
        Err(e) => {
            let flag = e
                .get(ContextKind::InvalidArg)
                .map(|a| a.to_string())
                .and_then(|a| a.split_whitespace().next().map(str::to_owned))
                .unwrap_or_default();
            let var = variable_of(&flag);
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            match var {
                Some(var) => eprintln!("lifeos-server: {flag} / {var}: {first}"),
                None => eprintln!("lifeos-server: {first}"),
            }
            Err(ExitCode::from(2))
        }
    }
}

/// The variable of a flag that has one: `--max-body-bytes` is `LIFEOS_MAX_BODY_BYTES`.
fn variable_of(flag: &str) -> Option<String> {
    let name = flag.strip_prefix("--")?;
    if matches!(name, "dev-token" | "tier" | "ttl") || name.is_empty() {
        return None;
    }
    Some(format!(
        "LIFEOS_{}",
        name.to_ascii_uppercase().replace('-', "_")
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(code) => return code,
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    if let Some(user) = &args.dev_token {
        return print_dev_token(&args, user, clock.now());
    }
    let pem = match &args.jwt_public_keys {
        None => None,
        Some(v) if v.trim_start().starts_with("-----BEGIN") => Some(v.clone()),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(_) => {
                return config_error(
                    "jwt-public-keys",
                    "LIFEOS_JWT_PUBLIC_KEYS",
                    "the key file cannot be read",
                );
            }
        },
    };
    let keys = match AuthKeys::new(
        args.jwt_secret.as_deref(),
        pem.as_deref(),
        &args.jwt_audience,
    ) {
        Ok(keys) => keys,
        Err(e) => {
            let (flag, var) = match e {
                lifeos_server::KeyError::BadPem => ("jwt-public-keys", "LIFEOS_JWT_PUBLIC_KEYS"),
                _ => ("jwt-secret", "LIFEOS_JWT_SECRET"),
            };
            return config_error(flag, var, &e.to_string());
        }
    };
    let Ok(bind) = args.bind.parse::<SocketAddr>() else {
        return config_error(
            "bind",
            "LIFEOS_BIND",
            "not an address such as 127.0.0.1:8080",
        );
    };
    if !(args.rate_limit_multiplier.is_finite() && args.rate_limit_multiplier >= 0.0) {
        return config_error(
            "rate-limit-multiplier",
            "LIFEOS_RATE_LIMIT_MULTIPLIER",
            "a number >= 0",
        );
    }
    if args.max_body_bytes == 0 {
        return config_error(
            "max-body-bytes",
            "LIFEOS_MAX_BODY_BYTES",
            "a positive integer",
        );
    }
    if args.request_timeout_secs == 0 {
        return config_error(
            "request-timeout-secs",
            "LIFEOS_REQUEST_TIMEOUT_SECS",
            "a positive integer",
        );
    }
    if args.ai_timeout_secs == 0 {
        return config_error(
            "ai-timeout-secs",
            "LIFEOS_AI_TIMEOUT_SECS",
            "a positive integer",
        );
    }
    if args.ai_model.trim().is_empty() {
        return config_error("ai-model", "LIFEOS_AI_MODEL", "a model name");
    }
    let ai = AiSettings::from_lookup(|name| std::env::var(name).ok())
        .model(args.ai_model.trim())
        .timeout(std::time::Duration::from_secs(args.ai_timeout_secs));
    if ai.enabled() && !cfg!(feature = "openai") {
        eprintln!("lifeos-server: OPENAI_API_KEY: this build has no OpenAI support");
        return ExitCode::from(2);
    }
    if args.redis_url.is_some() && !cfg!(feature = "redis") {
        return config_error(
            "redis-url",
            "LIFEOS_REDIS_URL",
            "this build has no Redis support",
        );
    }
    let mut config = ServerConfig::new();
    config.max_body_bytes = args.max_body_bytes;
    config.request_timeout = std::time::Duration::from_secs(args.request_timeout_secs);
    config.rate_limit_multiplier = args.rate_limit_multiplier;
    config.cors_origins = args
        .cors_origin
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("lifeos-server: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(serve(args, bind, keys, config, ai, clock))
}

fn print_dev_token(args: &Args, user: &str, now: chrono::DateTime<chrono::Utc>) -> ExitCode {
    let Some(secret) = args.jwt_secret.as_deref().filter(|s| !s.is_empty()) else {
        return config_error(
            "jwt-secret",
            "LIFEOS_JWT_SECRET",
            "--dev-token needs the HS256 secret",
        );
    };
    let Ok(user) = user.parse::<lifeos::core::UserId>() else {
        return config_error("dev-token", "-", "not a UUID");
    };
    let tier = match args.tier.as_deref() {
        None => None,
        Some(t) => match parse_tier(t) {
            Some(t) => Some(t),
            None => {
                return config_error("tier", "-", "one of free, starter, pro, team, enterprise");
            }
        },
    };
    match dev_token(secret, user, &args.jwt_audience, tier, now, args.ttl) {
        Ok(token) => {
            println!("{token}");
            ExitCode::SUCCESS
        }
        Err(_) => config_error("jwt-secret", "LIFEOS_JWT_SECRET", "cannot sign a token"),
    }
}

async fn serve(
    args: Args,
    bind: SocketAddr,
    keys: AuthKeys,
    config: ServerConfig,
    ai: AiSettings,
    clock: Arc<dyn Clock>,
) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let store = match lifeos::open(&args.database_url, StoreOptions::new()).await {
        Ok(store) => store,
        Err(e) => {
            // The store's message never holds the URL's password.
            eprintln!(
                "lifeos-server: --database-url / LIFEOS_DATABASE_URL: the store cannot be opened ({e})"
            );
            return ExitCode::from(1);
        }
    };
    let monotonic: Arc<dyn lifeos::Monotonic> = Arc::new(lifeos::SystemMonotonic::new());
    let rng = <rand_chacha::ChaCha12Rng as rand_core::SeedableRng>::from_os_rng();
    let refiner = match lifeos_server::ai::refiner(&ai, monotonic.clone(), rng) {
        Ok(refiner) => refiner,
        Err(e) => {
            eprintln!("lifeos-server: OPENAI_API_KEY: {e}");
            return ExitCode::from(1);
        }
    };
    let builder = lifeos::LifeOs::builder(store)
        .clock(clock.clone())
        .monotonic(monotonic);
    #[allow(unused_mut)]
    let mut builder = lifeos_server::ai::with_refiner(builder, refiner);
    #[cfg(feature = "redis")]
    let mut limiter = None;
    #[cfg(feature = "redis")]
    if let Some(url) = &args.redis_url {
        match lifeos_server::rate_limit::RedisLimiter::connect(url, "lifeos:rl:").await {
            Ok(l) => {
                // The plan cache and the AI quota share the rate limits' connection.
                builder = lifeos_server::ai::with_redis(builder, &l, "lifeos:");
                limiter = Some(l);
            }
            Err(_) => {
                eprintln!("lifeos-server: --redis-url / LIFEOS_REDIS_URL: Redis cannot be reached");
                return ExitCode::from(1);
            }
        }
    }
    let app = builder.build();
    let timeout = config.request_timeout;
    #[allow(unused_mut)]
    let mut state = AppState::new(app, clock, keys, config);
    #[cfg(feature = "redis")]
    if let Some(limiter) = limiter {
        state = state.with_redis(limiter);
    }
    tracing::info!(
        model = ai.enabled().then(|| ai.model_name()),
        "language model {}",
        if ai.enabled() {
            "configured"
        } else {
            "not configured (no OPENAI_API_KEY)"
        }
    );
    let listener = match tokio::net::TcpListener::bind(bind).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("lifeos-server: --bind / LIFEOS_BIND: cannot listen on {bind}: {e}");
            return ExitCode::from(1);
        }
    };
    tracing::info!(%bind, "listening");
    let draining = state.clone();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(state)).with_graceful_shutdown(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: draining requests in flight");
        draining.begin_shutdown();
        let _ = stopped_tx.send(());
    });
    let server = std::pin::pin!(server.into_future());
    // Requests in flight get the request timeout (and a second) to finish.
    let deadline = async {
        if stopped_rx.await.is_ok() {
            tokio::time::sleep(timeout + std::time::Duration::from_secs(1)).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("lifeos-server: the server failed: {e}");
                ExitCode::from(1)
            }
        },
        () = deadline => ExitCode::SUCCESS,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
