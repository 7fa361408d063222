//! `ficus shift`, `ficus rollback` and `ficus status`: clients of a running proxy's admin API
//! (`/migration`). The address and the token come from the configuration file the proxy
//! runs, unless given; every failure to reach or convince the proxy is an error (exit 2)
//! saying which.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use ficus_proxy::config::settings::TokenSource;
use serde_json::{Value, json};

use super::analyze::print_stdout;
use crate::cli::{AdminArgs, RouteTarget, ShiftArgs, StatusArgs, StatusFormat};

/// How long a call may take before the proxy counts as not answering.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn shift(args: &ShiftArgs) -> anyhow::Result<ExitCode> {
    let admin = Admin::resolve(&args.admin)?;
    let body = json!({"route": args.route, "percent": args.percent});
    let answer = admin.call("POST", "/migration/shift", Some(&body))?;
    print_stdout(&format!(
        "{} is now {}\n",
        answer["route"].as_str().unwrap_or(&args.route),
        answer["state"].as_str().unwrap_or("?")
    ))?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn rollback(args: &RouteTarget) -> anyhow::Result<ExitCode> {
    let admin = Admin::resolve(&args.admin)?;
    let body = json!({"route": args.route});
    let answer = admin.call("POST", "/migration/rollback", Some(&body))?;
    print_stdout(&format!(
        "{} is back on the monolith\n",
        answer["route"].as_str().unwrap_or(&args.route)
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// `pause`, `resume` or `promote` a route's rollout.
pub(crate) fn rollout_action(args: &RouteTarget, action: &str) -> anyhow::Result<ExitCode> {
    let admin = Admin::resolve(&args.admin)?;
    let body = json!({"route": args.route});
    let answer = admin.call("POST", &format!("/migration/{action}"), Some(&body))?;
    let route = answer["route"].as_str().unwrap_or(&args.route);
    let text = match (answer["state"].as_str(), answer["rollout"].as_str()) {
        (Some(state), _) => format!("{route} is now {state}\n"),
        (None, Some(rollout)) => format!("{route}: rollout {rollout}\n"),
        (None, None) => format!("{route}: {action} done\n"),
    };
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn status(args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let admin = Admin::resolve(&args.admin)?;
    let mut answer = admin.call("GET", "/migration", None)?;
    let now = now_ms();
    let unused = args
        .unused_since
        .map(|since| unused(&answer, now.saturating_sub(since.as_millis() as u64)));
    let text = match args.format {
        StatusFormat::Json => {
            if let (Some(unused), Some(since)) = (&unused, args.unused_since) {
                answer["unused_since_ms"] = json!(now.saturating_sub(since.as_millis() as u64));
                answer["unused"] = json!(unused);
            }
            format!("{}\n", serde_json::to_string_pretty(&answer)?)
        }
        StatusFormat::Text => {
            let mut text = status_text(&answer, now);
            if let (Some(unused), Some(since)) = (&unused, args.unused_since) {
                text.push_str(&unused_text(&answer, unused, since, now));
            }
            text
        }
    };
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The admin API to call.
struct Admin {
    /// `host:port`.
    authority: String,
    token: String,
}

impl Admin {
    fn resolve(args: &AdminArgs) -> anyhow::Result<Admin> {
        let settings = if args.admin.is_none()
            || (args.token_env.is_none() && args.token_file.is_none())
        {
            let settings = ficus_proxy::config::load_file(&args.config)
                .map_err(|error| anyhow!("{error}"))
                .with_context(|| {
                    format!(
                        "reading the proxy's admin settings from {} (give --admin and --token-file or --token-env to skip it)",
                        args.config.display()
                    )
                })?;
            Some(settings.admin.ok_or_else(|| {
                anyhow!(
                    "{} has no admin table ([proxy.admin] in a plan, [admin] in a proxy file): the proxy runs no admin API",
                    args.config.display()
                )
            })?)
        } else {
            None
        };
        let authority = match (&args.admin, &settings) {
            (Some(url), _) => url
                .trim_end_matches('/')
                .strip_prefix("http://")
                .ok_or_else(|| anyhow!("--admin {url}: expected http://host:port"))?
                .to_string(),
            (None, Some(settings)) => {
                let mut listen = settings.listen;
                if listen.port() == 0 {
                    bail!(
                        "{} lets the admin API take any port (listen port 0): give its address with --admin",
                        args.config.display()
                    );
                }
                if listen.ip().is_unspecified() {
                    listen.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
                }
                listen.to_string()
            }
            (None, None) => unreachable!("settings are read when --admin is not given"),
        };
        let source = match (&args.token_env, &args.token_file, &settings) {
            (Some(variable), _, _) => TokenSource::Env(variable.clone()),
            (None, Some(file), _) => TokenSource::File(file.clone()),
            (None, None, Some(settings)) => settings.token.clone(),
            (None, None, None) => unreachable!("settings are read when no token is given"),
        };
        let token = match &source {
            TokenSource::Env(variable) => std::env::var(variable).map_err(|_| {
                anyhow!("no admin token: the environment variable {variable} is not set")
            })?,
            TokenSource::File(file) => std::fs::read_to_string(file).map_err(|error| {
                anyhow!("no admin token: cannot read {}: {error}", file.display())
            })?,
        };
        let token = token.trim().to_string();
        if token.is_empty() {
            bail!("no admin token: it is empty");
        }
        Ok(Admin { authority, token })
    }

    /// One HTTP/1.1 request; the answer's JSON body, or an error saying why there is none.
    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> anyhow::Result<Value> {
        let base = format!("http://{}", self.authority);
        let not_running = |error: std::io::Error| {
            anyhow!(
                "no proxy answers at {base} ({error}): is `ficus proxy` running with this admin address?"
            )
        };
        let address = self
            .authority
            .to_socket_addrs()
            .map_err(not_running)?
            .next()
            .ok_or_else(|| anyhow!("{base}: the host has no address"))?;
        let mut stream = TcpStream::connect_timeout(&address, CALL_TIMEOUT).map_err(not_running)?;
        stream.set_read_timeout(Some(CALL_TIMEOUT))?;
        stream.set_write_timeout(Some(CALL_TIMEOUT))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.authority,
            self.token,
            body.len()
        )
        .map_err(not_running)?;
        let mut answer = Vec::new();
        stream
            .read_to_end(&mut answer)
            .map_err(|error| anyhow!("{base}{path}: the answer was cut short ({error})"))?;
        let (status, body) =
            parse_answer(&answer).ok_or_else(|| anyhow!("{base}{path}: not an HTTP answer"))?;
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        match status {
            200 => Ok(json),
            401 => bail!("{base}: the admin API refused the token (401)"),
            _ => bail!(
                "{base}{path}: {} ({status})",
                json["error"].as_str().unwrap_or("refused")
            ),
        }
    }
}

/// The status code and body of a whole HTTP/1.1 answer (`Content-Length` or read to the end).
fn parse_answer(answer: &[u8]) -> Option<(u16, &[u8])> {
    let head_end = answer.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..head_end]).ok()?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let body = &answer[head_end + 4..];
    let length = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())?
    });
    Some((
        status,
        &body[..length.unwrap_or(body.len()).min(body.len())],
    ))
}

/// The tables `ficus status` prints.
fn status_text(answer: &Value, now_ms: u64) -> String {
    let mut out = String::new();
    let services = answer["services"].as_array().cloned().unwrap_or_default();
    let routes = answer["routes"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!(
        "{:<24} {:>6} {:>6} {:>14}\n",
        "service", "routes", "moved", "traffic moved"
    ));
    for service in &services {
        out.push_str(&format!(
            "{:<24} {:>6} {:>6} {:>13.0}%\n",
            service["service"].as_str().unwrap_or("?"),
            service["routes"].as_u64().unwrap_or(0),
            service["routes_moved"].as_u64().unwrap_or(0),
            service["traffic_moved"].as_f64().unwrap_or(0.0) * 100.0
        ));
    }
    let width = routes
        .iter()
        .filter_map(|route| route["route"].as_str().map(str::len))
        .max()
        .unwrap_or(5)
        .max(5);
    out.push_str(&format!(
        "\n{:<width$}  {:<16} {:<12} {:<10} rollout\n",
        "route", "service", "state", "since"
    ));
    for route in &routes {
        let since = route["since_ms"].as_u64().map_or_else(
            || "-".to_string(),
            |since| ago(now_ms.saturating_sub(since)),
        );
        let rollout = match route["rollout"].as_object() {
            None => "-".to_string(),
            Some(rollout) => format!(
                "{} step {}/{}: {}",
                rollout["status"].as_str().unwrap_or("?"),
                rollout["step"].as_u64().unwrap_or(0) + 1,
                rollout["steps"].as_array().map_or(0, Vec::len),
                rollout["last"].as_str().unwrap_or("")
            ),
        };
        out.push_str(&format!(
            "{:<width$}  {:<16} {:<12} {:<10} {rollout}\n",
            route["route"].as_str().unwrap_or("?"),
            route["service"].as_str().unwrap_or("?"),
            route["state"].as_str().unwrap_or("?"),
            since,
        ));
    }
    out
}

/// The plan's routes the monolith has not answered since `cutoff_ms` (routes it answers
/// through the default route, in state `monolith`, are never listed).
fn unused(answer: &Value, cutoff_ms: u64) -> Vec<String> {
    answer["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|route| {
            route["monolith_last_ms"]
                .as_u64()
                .is_some_and(|last| last < cutoff_ms)
        })
        .filter_map(|route| route["route"].as_str().map(str::to_string))
        .collect()
}

fn unused_text(answer: &Value, unused: &[String], since: Duration, now_ms: u64) -> String {
    let started = answer["proxy_started_ms"].as_u64().unwrap_or(now_ms);
    let mut out = format!(
        "\nRoutes the monolith has not answered for {} (delete their code, then mark them retired):\n",
        ago(since.as_millis() as u64).trim_end_matches(" ago")
    );
    if unused.is_empty() {
        out.push_str("  none\n");
    }
    for route in unused {
        out.push_str(&format!("  {route}\n"));
    }
    if now_ms.saturating_sub(started) < since.as_millis() as u64 {
        out.push_str(&format!(
            "  (the proxy started {}: what happened before is not known)\n",
            ago(now_ms.saturating_sub(started))
        ));
    }
    out
}

/// `3 s ago`, `5 min ago`, `2 h ago`, `4 d ago`.
fn ago(elapsed_ms: u64) -> String {
    let seconds = elapsed_ms / 1000;
    match seconds {
        0..60 => format!("{seconds} s ago"),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} d ago", seconds / 86400),
    }
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_their_length() {
        let answer = b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}trailing";
        assert_eq!(parse_answer(answer), Some((404, &b"{}"[..])));
        assert_eq!(parse_answer(b"garbage"), None);
    }

    #[test]
    fn unused_routes_are_the_ones_the_monolith_did_not_answer_since_the_cutoff() {
        let answer = json!({
            "proxy_started_ms": 0,
            "routes": [
                {"route": "GET /a", "monolith_last_ms": 0},
                {"route": "GET /b", "monolith_last_ms": 5_000},
                {"route": "GET /c", "monolith_last_ms": 20_000},
                {"route": "GET /d", "monolith_last_ms": null},
            ],
        });
        let unused = unused(&answer, 10_000);
        assert_eq!(unused, ["GET /a", "GET /b"]);
        let text = unused_text(&answer, &unused, Duration::from_secs(60), 30_000);
        assert_eq!(
            text,
            "\nRoutes the monolith has not answered for 1 min (delete their code, then mark them retired):\n  GET /a\n  GET /b\n  (the proxy started 30 s ago: what happened before is not known)\n"
        );
    }

    #[test]
    fn status_tables_show_services_and_routes() {
        let answer = json!({
            "services": [{"service": "catalog", "routes": 2, "routes_moved": 1, "traffic_moved": 0.625}],
            "routes": [
                {"route": "GET /api/products", "service": "catalog", "state": "canary 25%", "since_ms": 1_000,
                 "rollout": {"status": "running", "step": 1, "steps": [5, 25, 100], "last": "step 2 bakes 100 ms more"}},
                {"route": "GET /api/categories", "service": "catalog", "state": "service", "since_ms": null, "rollout": null},
            ],
        });
        let text = status_text(&answer, 301_000);
        assert_eq!(
            text,
            "service                  routes  moved  traffic moved\n\
             catalog                       2      1            62%\n\
             \n\
             route                service          state        since      rollout\n\
             GET /api/products    catalog          canary 25%   5 min ago  running step 2/3: step 2 bakes 100 ms more\n\
             GET /api/categories  catalog          service      -          -\n"
        );
    }
}
