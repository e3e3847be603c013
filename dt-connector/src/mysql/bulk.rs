//! MariaDB's bulk execution (`COM_STMT_BULK_EXECUTE`) for the sinker's inserts: a prepared
//! one-row `INSERT` sent once with the values of many rows. The server runs it as one
//! statement over every row and spends less CPU on it than on a prepared `INSERT` of as many
//! row groups (docs/benchmark.md, "MariaDB's bulk execution"). sqlx cannot send this command,
//! so this is a minimal client of the protocol: plain TCP, `mysql_native_password`, the
//! session sqlx would set up, prepare, bulk execute. A target this client cannot reach the
//! way sqlx does (TLS offered, a socket, another authentication plugin, a MySQL server) is
//! written through sqlx (docs/en/snapshot/resume.md, "MariaDB bulk execution").

use std::collections::HashMap;
use std::sync::Mutex;

use dt_common::meta::{Row, Value};
use sha1::{Digest, Sha1};
use sqlx::mysql::{MySqlConnectOptions, MySqlSslMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Capability flags of the handshake (the protocol's `CLIENT_*`).
const CLIENT_MYSQL: u32 = 1;
const CLIENT_FOUND_ROWS: u32 = 2;
const CLIENT_CONNECT_WITH_DB: u32 = 8;
const CLIENT_PROTOCOL_41: u32 = 0x200;
const CLIENT_SSL: u32 = 0x800;
const CLIENT_TRANSACTIONS: u32 = 0x2000;
const CLIENT_SECURE_CONNECTION: u32 = 0x8000;
const CLIENT_PLUGIN_AUTH: u32 = 0x8_0000;
const CLIENT_PLUGIN_AUTH_LENENC_DATA: u32 = 0x20_0000;
/// MariaDB's extended capability (bit 34 of the 64) for `COM_STMT_BULK_EXECUTE`.
const MARIADB_CLIENT_STMT_BULK_OPERATIONS: u32 = 1 << 2;

const COM_QUERY: u8 = 0x03;
const COM_STMT_PREPARE: u8 = 0x16;
const COM_STMT_CLOSE: u8 = 0x19;
const COM_STMT_BULK_EXECUTE: u8 = 0xfa;
/// Bulk flag: the parameter types follow the statement id.
const SEND_TYPES_TO_SERVER: u16 = 128;
/// utf8mb4_unicode_ci, the collation sqlx asks for with charset utf8mb4.
const COLLATION: u8 = 224;
const NATIVE_PASSWORD: &str = "mysql_native_password";
/// The largest payload of one packet; a longer command continues in the next packets.
const MAX_PAYLOAD: usize = 0xff_ffff;
/// Prepared statements kept per connection before they are closed.
const MAX_PREPARED: usize = 32;

/// A failed command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused the command; the connection is still usable.
    #[error("{message} (error {number}, SQLSTATE {state})")]
    Server {
        number: u16,
        state: String,
        message: String,
    },
    #[error("lost the connection to the target: {0}")]
    Io(#[from] std::io::Error),
    #[error("unexpected reply from the target: {0}")]
    Protocol(String),
}

impl Error {
    /// The server's error number, when the server refused the command.
    pub fn number(&self) -> Option<u16> {
        match self {
            Error::Server { number, .. } => Some(*number),
            _ => None,
        }
    }
}

fn protocol(what: impl Into<String>) -> Error {
    Error::Protocol(what.into())
}

/// Where and as whom to connect, and the statements that set up each session.
struct Endpoint {
    host: String,
    port: u16,
    user: String,
    password: Vec<u8>,
    database: Option<String>,
    session: Vec<String>,
    /// The URL's `ssl-mode=disabled`: sqlx would not use TLS even where the server offers it.
    tls_off: bool,
}

/// The connections of bulk writers, opened on demand and kept while they are healthy.
pub struct BulkPool {
    endpoint: Endpoint,
    idle: Mutex<Vec<Conn>>,
    /// The target's max_allowed_packet: a bulk command must fit in it.
    max_packet: usize,
}

impl BulkPool {
    /// A pool for the target at `url` when this client can write to it as sqlx would, with
    /// `session` run on every connection; `None` (and why, in the debug log) otherwise.
    pub async fn open(url: &str, session: Vec<String>, max_packet: u64) -> Option<BulkPool> {
        let endpoint = match endpoint(url, session) {
            Ok(endpoint) => endpoint,
            Err(why) => {
                tracing::debug!("target rows go through sqlx: {why}");
                return None;
            }
        };
        let pool = BulkPool {
            endpoint,
            idle: Mutex::new(Vec::new()),
            max_packet: max_packet as usize,
        };
        match Conn::open(&pool.endpoint).await {
            Ok(Some(conn)) => pool.put(conn),
            Ok(None) => return None,
            Err(e) => {
                tracing::debug!("target rows go through sqlx: {e}");
                return None;
            }
        }
        tracing::debug!("target rows go in by MariaDB bulk execution");
        Some(pool)
    }

    /// An idle connection, or a new one.
    async fn get(&self) -> Result<Conn, Error> {
        if let Some(conn) = self.idle.lock().expect("bulk pool lock").pop() {
            return Ok(conn);
        }
        Conn::open(&self.endpoint)
            .await?
            .ok_or_else(|| protocol("the server no longer accepts bulk execution"))
    }

    fn put(&self, conn: Conn) {
        self.idle.lock().expect("bulk pool lock").push(conn);
    }

    /// Runs `sql`, a statement with one row's placeholders, once for each of `rows`.
    /// `Ok(false)` when the rows cannot go in one bulk command (a column whose values are
    /// of more than one kind, more bytes than max_allowed_packet, no new connection): the
    /// caller sends them another way.
    pub async fn execute(&self, sql: &str, rows: &[Row]) -> Result<bool, Error> {
        let Some(types) = param_types(rows) else {
            return Ok(false);
        };
        let mut conn = match self.get().await {
            Ok(conn) => conn,
            Err(e) => {
                // Too many connections, say: the pool's connections still take the rows.
                tracing::debug!("no new bulk connection to the target: {e}");
                return Ok(false);
            }
        };
        let result = conn.bulk(sql, &types, rows, self.max_packet).await;
        // A refused command leaves the session as it was; any other failure, unknown.
        if matches!(result, Ok(_) | Err(Error::Server { .. })) {
            self.put(conn);
        }
        result
    }
}

/// The parts of the target's URL, as sqlx reads them, that this client needs.
fn endpoint(url: &str, session: Vec<String>) -> Result<Endpoint, String> {
    let opts: MySqlConnectOptions = url.parse().map_err(|e| format!("{e}"))?;
    if opts.get_socket().is_some() {
        return Err("the URL names a socket".into());
    }
    if !matches!(
        opts.get_ssl_mode(),
        MySqlSslMode::Disabled | MySqlSslMode::Preferred
    ) {
        return Err("the URL asks for TLS".into());
    }
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let password = parsed.password().map_or_else(Vec::new, |p| {
        percent_encoding::percent_decode_str(p).collect::<Vec<u8>>()
    });
    Ok(Endpoint {
        host: opts.get_host().to_string(),
        port: opts.get_port(),
        user: opts.get_username().to_string(),
        password,
        database: opts.get_database().map(str::to_string),
        session,
        tls_off: matches!(opts.get_ssl_mode(), MySqlSslMode::Disabled),
    })
}

/// The wire type and flag of each column of `rows`, from its values (the ones sqlx's
/// `bind` gives them, so that the server converts each value exactly as for sqlx);
/// `None` when a column holds values of two kinds, or there are no columns.
fn param_types(rows: &[Row]) -> Option<Vec<(u8, u8)>> {
    let width = rows.first()?.len();
    if width == 0 {
        return None;
    }
    let mut types = vec![None; width];
    for row in rows {
        if row.len() != width {
            return None;
        }
        for (slot, v) in types.iter_mut().zip(row) {
            let Some(t) = wire_type(v) else { continue };
            match slot {
                None => *slot = Some(t),
                Some(seen) if *seen == t => {}
                Some(_) => return None,
            }
        }
    }
    // A column of NULLs only is sent as sqlx sends `None::<String>`.
    Some(types.into_iter().map(|t| t.unwrap_or((253, 0))).collect())
}

/// A value's field type and flag (0x80: unsigned) as sqlx binds it; `None` for NULL.
fn wire_type(v: &Value) -> Option<(u8, u8)> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(_) => (1, 0x80),
        Value::I64(_) => (8, 0),
        Value::U64(_) => (8, 0x80),
        Value::F32(_) => (4, 0),
        Value::F64(_) => (5, 0),
        Value::Decimal(_) | Value::Text(_) | Value::Temporal(_) => (253, 0),
        Value::Bytes(_) | Value::Bit(_) => (252, 0),
    })
}

/// Appends `v` in the binary protocol's form: an indicator byte (0: a value follows, 1:
/// NULL), then the value.
fn put_value(buf: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => buf.push(1),
        Value::Bool(b) => put_some(buf, &[*b as u8]),
        Value::I64(x) => put_some(buf, &x.to_le_bytes()),
        Value::U64(x) => put_some(buf, &x.to_le_bytes()),
        Value::F32(x) => put_some(buf, &x.to_le_bytes()),
        Value::F64(x) => put_some(buf, &x.to_le_bytes()),
        Value::Decimal(s) | Value::Text(s) | Value::Temporal(s) => {
            buf.push(0);
            put_lenenc_bytes(buf, s.as_bytes());
        }
        Value::Bytes(b) | Value::Bit(b) => {
            buf.push(0);
            put_lenenc_bytes(buf, b);
        }
    }
}

/// A value of fixed length after its indicator.
fn put_some(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.push(0);
    buf.extend_from_slice(bytes);
}

fn put_lenenc_bytes(buf: &mut Vec<u8>, b: &[u8]) {
    put_lenenc(buf, b.len() as u64);
    buf.extend_from_slice(b);
}

fn put_lenenc(buf: &mut Vec<u8>, n: u64) {
    match n {
        0..=250 => buf.push(n as u8),
        251..=0xffff => {
            buf.push(0xfc);
            buf.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xff_ffff => {
            buf.push(0xfd);
            buf.extend_from_slice(&(n as u32).to_le_bytes()[..3]);
        }
        _ => {
            buf.push(0xfe);
            buf.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// `mysql_native_password`: SHA1(password) XOR SHA1(seed + SHA1(SHA1(password))); nothing
/// for an empty password.
fn scramble(password: &[u8], seed: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let once = Sha1::digest(password);
    let twice = Sha1::digest(once);
    let mut h = Sha1::new();
    h.update(seed);
    h.update(twice);
    let salted = h.finalize();
    once.iter().zip(salted.iter()).map(|(a, b)| a ^ b).collect()
}

/// A payload being read.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.0.len() < n {
            return Err(protocol("a packet ends early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// Up to the next NUL, which is consumed.
    fn nul_str(&mut self) -> Result<&'a [u8], Error> {
        let end = self
            .0
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| protocol("a string has no end"))?;
        let s = &self.0[..end];
        self.0 = &self.0[end + 1..];
        Ok(s)
    }
}

/// The server's ERR packet (after its 0xff).
fn server_error(payload: &[u8]) -> Error {
    let mut r = Reader(&payload[1..]);
    let Ok(number) = r.u16() else {
        return protocol("a short error packet");
    };
    let mut state = String::new();
    if r.0.first() == Some(&b'#') && r.0.len() >= 6 {
        state = String::from_utf8_lossy(&r.0[1..6]).into_owned();
        r.0 = &r.0[6..];
    }
    Error::Server {
        number,
        state,
        message: String::from_utf8_lossy(r.0).into_owned(),
    }
}

struct Prepared {
    id: u32,
    params: usize,
}

/// One session with the target.
struct Conn {
    stream: TcpStream,
    seq: u8,
    prepared: HashMap<String, Prepared>,
    /// The command being built, with room for the first packet's header.
    out: Vec<u8>,
}

impl Conn {
    /// A session set up as the sqlx writers' are; `None` when the server or the account
    /// needs what this client does not do (the reason goes to the debug log).
    async fn open(at: &Endpoint) -> Result<Option<Conn>, Error> {
        let stream = TcpStream::connect((at.host.as_str(), at.port)).await?;
        stream.set_nodelay(true)?;
        let mut conn = Conn {
            stream,
            seq: 0,
            prepared: HashMap::new(),
            out: Vec::new(),
        };
        let greeting = conn.read_packet().await?;
        if greeting.first() == Some(&0xff) {
            return Err(server_error(&greeting));
        }
        let mut r = Reader(&greeting);
        if r.u8()? != 10 {
            return Err(protocol("not protocol version 10"));
        }
        let version = String::from_utf8_lossy(r.nul_str()?).into_owned();
        r.u32()?;
        let mut seed = r.take(8)?.to_vec();
        r.u8()?;
        let mut caps = r.u16()? as u32;
        r.u8()?;
        r.u16()?;
        caps |= (r.u16()? as u32) << 16;
        let seed_len = r.u8()? as usize;
        r.take(6)?;
        let ext_caps = r.u32()?;
        let why_not = if caps & CLIENT_MYSQL != 0 || !version.contains("MariaDB") {
            Some(format!("server {version} is not MariaDB"))
        } else if ext_caps & MARIADB_CLIENT_STMT_BULK_OPERATIONS == 0 {
            Some(format!("server {version} has no bulk execution"))
        } else if caps & CLIENT_SSL != 0 && !at.tls_off {
            Some("the server offers TLS, which sqlx uses".into())
        } else {
            None
        };
        if let Some(why) = why_not {
            tracing::debug!("target rows go through sqlx: {why}");
            return Ok(None);
        }
        if caps & CLIENT_SECURE_CONNECTION != 0 {
            let more = seed_len.saturating_sub(9).max(12);
            seed.extend_from_slice(r.take(more)?);
            r.u8()?;
        }
        let plugin = if caps & CLIENT_PLUGIN_AUTH != 0 {
            String::from_utf8_lossy(r.nul_str().unwrap_or(b"")).into_owned()
        } else {
            NATIVE_PASSWORD.to_string()
        };

        let mut want = CLIENT_PROTOCOL_41
            | CLIENT_FOUND_ROWS
            | CLIENT_TRANSACTIONS
            | CLIENT_SECURE_CONNECTION
            | CLIENT_PLUGIN_AUTH
            | CLIENT_PLUGIN_AUTH_LENENC_DATA;
        if at.database.is_some() {
            want |= CLIENT_CONNECT_WITH_DB;
        }
        want &= caps | CLIENT_PROTOCOL_41;
        let auth = if plugin == NATIVE_PASSWORD {
            scramble(&at.password, &seed)
        } else {
            Vec::new()
        };
        let mut p = Vec::new();
        p.extend_from_slice(&want.to_le_bytes());
        p.extend_from_slice(&(MAX_PAYLOAD as u32).to_le_bytes());
        p.push(COLLATION);
        p.extend_from_slice(&[0; 19]);
        p.extend_from_slice(&MARIADB_CLIENT_STMT_BULK_OPERATIONS.to_le_bytes());
        p.extend_from_slice(at.user.as_bytes());
        p.push(0);
        put_lenenc_bytes(&mut p, &auth);
        if let Some(db) = at
            .database
            .as_ref()
            .filter(|_| want & CLIENT_CONNECT_WITH_DB != 0)
        {
            p.extend_from_slice(db.as_bytes());
            p.push(0);
        }
        p.extend_from_slice(NATIVE_PASSWORD.as_bytes());
        p.push(0);
        // The reply to the greeting continues its sequence (read_packet set `seq`).
        conn.write_packet(&p).await?;

        let reply = conn.read_packet().await?;
        match reply.first() {
            Some(0x00) => {}
            Some(0xff) => return Err(server_error(&reply)),
            Some(0xfe) => {
                // Authentication switch: the account's plugin and a new seed.
                let mut r = Reader(&reply[1..]);
                let plugin = r.nul_str()?;
                if plugin != NATIVE_PASSWORD.as_bytes() {
                    let plugin = String::from_utf8_lossy(plugin);
                    tracing::debug!("target rows go through sqlx: the account uses {plugin}");
                    return Ok(None);
                }
                let seed = r.0.strip_suffix(&[0]).unwrap_or(r.0).to_vec();
                let auth = scramble(&at.password, &seed);
                conn.write_packet(&auth).await?;
                let reply = conn.read_packet().await?;
                match reply.first() {
                    Some(0x00) => {}
                    Some(0xff) => return Err(server_error(&reply)),
                    _ => return Err(protocol("no reply to the password")),
                }
            }
            _ => {
                tracing::debug!("target rows go through sqlx: the server asks for more auth");
                return Ok(None);
            }
        }
        // The session sqlx sets up (time zone, names), then the writers' own.
        let mut session = vec![
            "SET sql_mode=(SELECT CONCAT(@@sql_mode, ',PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION')),\
             time_zone='+00:00',NAMES utf8mb4 COLLATE utf8mb4_unicode_ci"
                .to_string(),
        ];
        session.extend(at.session.iter().cloned());
        // No time limit on a statement; and a connection idle while its writer copies a
        // table through sqlx (a key-less one, say) is not closed under it.
        session.push("SET SESSION max_statement_time=0, wait_timeout=31536000".into());
        for sql in &session {
            conn.query(sql).await?;
        }
        Ok(Some(conn))
    }

    /// Starts a command: its packet header is filled in by [`Self::send`].
    fn begin(&mut self, command: u8) {
        self.out.clear();
        self.out.extend_from_slice(&[0; 4]);
        self.out.push(command);
        self.seq = 0;
    }

    /// Sends the command built in `out`, cut into packets of at most [`MAX_PAYLOAD`].
    async fn send(&mut self) -> Result<(), Error> {
        let len = self.out.len() - 4;
        if len < MAX_PAYLOAD {
            self.out[..3].copy_from_slice(&(len as u32).to_le_bytes()[..3]);
            self.out[3] = self.seq;
            self.seq = self.seq.wrapping_add(1);
            self.stream.write_all(&self.out).await?;
            return Ok(());
        }
        let out = std::mem::take(&mut self.out);
        let mut chunks = out[4..].chunks(MAX_PAYLOAD).peekable();
        let mut last_full = false;
        while let Some(chunk) = chunks.next() {
            self.write_packet(chunk).await?;
            last_full = chunks.peek().is_none() && chunk.len() == MAX_PAYLOAD;
        }
        if last_full {
            self.write_packet(&[]).await?;
        }
        self.out = out;
        Ok(())
    }

    async fn write_packet(&mut self, payload: &[u8]) -> Result<(), Error> {
        let mut header = (payload.len() as u32).to_le_bytes();
        header[3] = self.seq;
        self.seq = self.seq.wrapping_add(1);
        self.stream.write_all(&header).await?;
        self.stream.write_all(payload).await?;
        Ok(())
    }

    /// One whole payload, joined from as many packets as it spans.
    async fn read_packet(&mut self) -> Result<Vec<u8>, Error> {
        let mut payload = Vec::new();
        loop {
            let mut header = [0u8; 4];
            self.stream.read_exact(&mut header).await?;
            let len = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
            self.seq = header[3].wrapping_add(1);
            let start = payload.len();
            payload.resize(start + len, 0);
            self.stream.read_exact(&mut payload[start..]).await?;
            if len < MAX_PAYLOAD {
                return Ok(payload);
            }
        }
    }

    /// The reply to a command that returns no rows.
    async fn read_ok(&mut self) -> Result<(), Error> {
        let reply = self.read_packet().await?;
        match reply.first() {
            Some(0x00) => Ok(()),
            Some(0xff) => Err(server_error(&reply)),
            _ => Err(protocol("a command meant to return no rows returned rows")),
        }
    }

    async fn query(&mut self, sql: &str) -> Result<(), Error> {
        self.begin(COM_QUERY);
        self.out.extend_from_slice(sql.as_bytes());
        self.send().await?;
        self.read_ok().await
    }

    /// The prepared statement of `sql`, prepared on first use.
    async fn prepare(&mut self, sql: &str) -> Result<(u32, usize), Error> {
        if let Some(p) = self.prepared.get(sql) {
            return Ok((p.id, p.params));
        }
        if self.prepared.len() >= MAX_PREPARED {
            // The server limits prepared statements (max_prepared_stmt_count); a copy of
            // many tables would otherwise keep one per table and connection.
            for (_, p) in std::mem::take(&mut self.prepared) {
                self.begin(COM_STMT_CLOSE);
                self.out.extend_from_slice(&p.id.to_le_bytes());
                self.send().await?;
            }
        }
        self.begin(COM_STMT_PREPARE);
        self.out.extend_from_slice(sql.as_bytes());
        self.send().await?;
        let reply = self.read_packet().await?;
        match reply.first() {
            Some(0x00) => {}
            Some(0xff) => return Err(server_error(&reply)),
            _ => return Err(protocol("no statement id after prepare")),
        }
        let mut r = Reader(&reply[1..]);
        let id = r.u32()?;
        let columns = r.u16()? as usize;
        let params = r.u16()? as usize;
        // The definitions of the parameters and of the result's columns, each list ended by
        // an EOF packet: not needed.
        for count in [params, columns] {
            if count > 0 {
                for _ in 0..=count {
                    self.read_packet().await?;
                }
            }
        }
        self.prepared
            .insert(sql.to_string(), Prepared { id, params });
        Ok((id, params))
    }

    /// Runs the prepared `sql` once per row of `rows`, in one command.
    async fn bulk(
        &mut self,
        sql: &str,
        types: &[(u8, u8)],
        rows: &[Row],
        max_packet: usize,
    ) -> Result<bool, Error> {
        let (id, params) = self.prepare(sql).await?;
        if params != types.len() {
            return Err(protocol(format!(
                "the statement has {params} parameters, the rows {} values",
                types.len()
            )));
        }
        self.begin(COM_STMT_BULK_EXECUTE);
        self.out.extend_from_slice(&id.to_le_bytes());
        self.out
            .extend_from_slice(&SEND_TYPES_TO_SERVER.to_le_bytes());
        for &(t, flag) in types {
            self.out.extend_from_slice(&[t, flag]);
        }
        for row in rows {
            for v in row {
                put_value(&mut self.out, v);
            }
        }
        if self.out.len() - 4 > max_packet {
            return Ok(false);
        }
        self.send().await?;
        self.read_ok().await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_encoded_as_the_protocol_says() {
        let enc = |n| {
            let mut b = Vec::new();
            put_lenenc(&mut b, n);
            b
        };
        assert_eq!(enc(250), [250]);
        assert_eq!(enc(251), [0xfc, 251, 0]);
        assert_eq!(enc(0x1_0000), [0xfd, 0, 0, 1]);
        assert_eq!(enc(1 << 24), [0xfe, 0, 0, 0, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn columns_of_two_kinds_are_not_sent_in_bulk() {
        let rows = vec![
            vec![Value::I64(1), Value::Null, Value::Text("a".into())],
            vec![
                Value::I64(2),
                Value::Null,
                Value::Temporal("2024-01-01".into()),
            ],
        ];
        assert_eq!(param_types(&rows), Some(vec![(8, 0), (253, 0), (253, 0)]));
        let mixed = vec![vec![Value::I64(1)], vec![Value::U64(1)]];
        assert_eq!(param_types(&mixed), None);
    }

    #[test]
    fn native_password_scramble() {
        // The server keeps SHA1(SHA1(password)); the reply XORed with SHA1(seed + that)
        // gives SHA1(password) back, whose SHA1 must be what the server keeps.
        let seed = b"0123456789abcdefghij";
        let reply = scramble(b"secret", seed);
        let stored = Sha1::digest(Sha1::digest(b"secret"));
        let mut h = Sha1::new();
        h.update(seed);
        h.update(stored);
        let once: Vec<u8> = reply
            .iter()
            .zip(h.finalize().iter())
            .map(|(a, b)| a ^ b)
            .collect();
        assert_eq!(Sha1::digest(&once), stored);
        assert!(scramble(b"", seed).is_empty());
    }
}
