//! `gate pack`: build, push, pull, inspect, save, load, sign, verify and
//! update policy packs (the `gate-oci` crate; its notes and progress are
//! shown by [`Stderr`]).

use crate::error::GateError;
use crate::exit::Exit;
use crate::policies::PolicyRef;
use crate::registry::{Stderr, build_pack};
use clap::{Args, Subcommand};
use gate_oci::{
    Embedded, Fetched, LockFile, Options, Pack, PublicKey, Reference, RegistryError, SecretKey,
    digest_of, embedded_json, load_keys, load_signatures, read_layout, save_signatures, verify_any,
    write_layout,
};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct PackArgs {
    #[command(subcommand)]
    pub command: PackCommand,
}

/// Network and trust options of the commands that talk to a registry.
#[derive(Debug, Args, Clone, Default)]
pub struct NetArgs {
    /// Allow plain HTTP to a non-loopback registry
    #[arg(long)]
    pub insecure: bool,
    /// Use only the pack cache
    #[arg(long)]
    pub offline: bool,
    /// A trusted ed25519 public key (path or base64); repeatable. With one,
    /// the pack must be signed by one of them
    #[arg(long = "trusted-key", value_name = "KEY")]
    pub trusted_keys: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Validate a pack directory (pack.toml) and write it as an OCI image layout
    Build {
        /// The directory with pack.toml
        dir: PathBuf,
        /// The OCI image layout directory to write (default: NAME-VERSION.oci)
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Push a pack (a pack directory or an OCI image layout) to a registry
    Push {
        /// A directory with pack.toml, or an OCI image layout (`DIR[:TAG]`)
        source: String,
        /// oci://HOST/NS/PACK:TAG
        reference: String,
        /// Allow plain HTTP to a non-loopback registry
        #[arg(long)]
        insecure: bool,
    },
    /// Fetch and verify a pack into the cache; prints its digest
    Pull {
        /// The pack: oci://HOST/NS/PACK[:TAG][@sha256:DIGEST]
        reference: String,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Show a pack's metadata and policies (a reference or an OCI layout dir)
    Inspect {
        /// The pack: oci://HOST/NS/PACK[:TAG][@sha256:DIGEST], or an OCI image layout directory (`DIR[:TAG]`)
        reference: String,
        /// Print JSON (with the manifest)
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Write a pack to an OCI image layout directory (for air-gapped use)
    Save {
        /// The pack: oci://HOST/NS/PACK[:TAG][@sha256:DIGEST]
        reference: String,
        /// The layout directory to write
        #[arg(long, short)]
        output: PathBuf,
        #[command(flatten)]
        net: NetArgs,
    },
    /// Import an OCI image layout into the cache under a reference
    Load {
        /// The OCI image layout directory
        dir: PathBuf,
        /// The reference offline runs will use: oci://HOST/NS/PACK:TAG
        reference: String,
    },
    /// Sign a pack in a registry with an ed25519 secret key
    Sign {
        /// The pack: oci://HOST/NS/PACK[:TAG][@sha256:DIGEST]
        reference: String,
        /// The secret key file (base64 32-byte seed; see `gate pack keygen`)
        #[arg(long)]
        key: PathBuf,
        /// Allow plain HTTP to a non-loopback registry
        #[arg(long)]
        insecure: bool,
    },
    /// Check that a pack is signed by one of the given public keys
    Verify {
        /// The pack: oci://HOST/NS/PACK[:TAG][@sha256:DIGEST], or an OCI image layout directory (`DIR[:TAG]`)
        reference: String,
        /// A public key (path or base64); repeatable
        #[arg(long = "key", value_name = "KEY", required = true)]
        keys: Vec<String>,
        /// Allow plain HTTP to a non-loopback registry
        #[arg(long)]
        insecure: bool,
    },
    /// Resolve every oci:// policy of gate.toml again and rewrite gate.lock
    Update {
        /// Config file (default: ./gate.toml)
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Generate an ed25519 key pair: FILE (secret seed) and FILE.pub
    Keygen {
        /// Where to write the secret key
        output: PathBuf,
    },
}

/// Prints a command's result on stdout; the command passed.
fn print(text: impl AsRef<[u8]>) -> Result<Exit, GateError> {
    super::output::print(text).map(|()| Exit::Pass)
}

fn options(net: &NetArgs) -> Options {
    let mut o = Options::default().with_env();
    o.insecure |= net.insecure;
    o.offline |= net.offline;
    o.trusted_keys.extend(net.trusted_keys.iter().cloned());
    o.key_base = PathBuf::from(".");
    o
}

fn reference(s: &str) -> Result<Reference, GateError> {
    Reference::parse(s).map_err(|e| GateError::Usage(e.message))
}

/// A pack from the cache or the registry, verified (signatures too when
/// keys are given).
fn fetch(r: &Reference, net: &NetArgs) -> Result<Fetched, RegistryError> {
    let o = options(net);
    let keys = load_keys(&o.trusted_keys, &o.key_base)?;
    gate_oci::fetch(r, &o, &keys, None, &Stderr::new())
}

/// Whether plain HTTP is allowed for commands that must write to (or ask)
/// the registry itself: refused in offline mode rather than silently going
/// online.
fn online(insecure: bool, what: &str) -> Result<bool, GateError> {
    let o = Options::default().with_env();
    if o.offline {
        return Err(GateError::Usage(format!(
            "`gate pack {what}` needs the registry, but GATE_OFFLINE is set"
        )));
    }
    Ok(insecure || o.insecure)
}

/// `DIR` or `DIR:TAG` of an OCI image layout, when `s` names one.
fn layout_arg(s: &str) -> Option<(PathBuf, Option<String>)> {
    if Path::new(s).is_dir() {
        return Some((PathBuf::from(s), None));
    }
    let (dir, tag) = s.rsplit_once(':')?;
    Path::new(dir)
        .is_dir()
        .then(|| (PathBuf::from(dir), Some(tag.to_string())))
}

pub fn run(args: PackArgs) -> Result<Exit, GateError> {
    match args.command {
        PackCommand::Build { dir, output } => build(&dir, output),
        PackCommand::Push {
            source,
            reference: r,
            insecure,
        } => push(&source, &reference(&r)?, insecure),
        PackCommand::Pull { reference: r, net } => pull(&reference(&r)?, &net),
        PackCommand::Inspect {
            reference: r,
            json,
            net,
        } => inspect(&r, json, &net),
        PackCommand::Save {
            reference: r,
            output,
            net,
        } => save(&reference(&r)?, &output, &net),
        PackCommand::Load { dir, reference: r } => load(&dir, &reference(&r)?),
        PackCommand::Sign {
            reference: r,
            key,
            insecure,
        } => sign(&reference(&r)?, &key, insecure),
        PackCommand::Verify {
            reference: r,
            keys,
            insecure,
        } => verify(&r, &keys, insecure),
        PackCommand::Update { config } => update(config),
        PackCommand::Keygen { output } => keygen(&output),
    }
}

/// `gate pack pull`: the pack's digest, then each policy's.
fn pull(r: &Reference, net: &NetArgs) -> Result<Exit, GateError> {
    let p = fetch(r, net)?.pack;
    let mut text = format!("{}\n", p.digest);
    for (name, bytes) in p.policies() {
        text.push_str(&format!(
            "  {name}  {}  {} bytes\n",
            digest_of(bytes),
            bytes.len()
        ));
    }
    print(text)
}

/// `gate pack inspect` of a reference or an OCI layout directory.
fn inspect(r: &str, json: bool, net: &NetArgs) -> Result<Exit, GateError> {
    let (shown, p) = match layout_arg(r) {
        Some((dir, tag)) => (r.to_string(), read_layout(&dir, tag.as_deref())?),
        None => {
            let rr = reference(r)?;
            (rr.to_string(), fetch(&rr, net)?.pack)
        }
    };
    print(inspect_text(&shown, &p, json))
}

/// `gate pack save`: the pack and its signatures into a layout directory.
fn save(r: &Reference, output: &Path, net: &NetArgs) -> Result<Exit, GateError> {
    // Signatures travel with the pack, so trusted keys keep working on the
    // air-gapped side.
    let Fetched {
        pack: p,
        signatures: sigs,
    } = fetch(r, net)?;
    write_layout(output, &p, &r.tag_or_latest())?;
    save_signatures(output, &p, &sigs)?;
    print(format!(
        "{} {} ({})\n",
        output.display(),
        p.digest,
        gate_codes::wording::count(sigs.len(), "signature", "signatures")
    ))
}

/// `gate pack load`: a layout directory (with its signatures) into the
/// cache under `r`, for offline runs.
fn load(dir: &Path, r: &Reference) -> Result<Exit, GateError> {
    let p = read_layout(dir, r.tag.as_deref()).or_else(|_| read_layout(dir, None))?;
    if let Some(d) = &r.digest
        && *d != p.digest
    {
        return Err(
            RegistryError::new(format!("{}: holds {}, not {d}", dir.display(), p.digest)).into(),
        );
    }
    let cache = Options::default()
        .with_env()
        .cache
        .ok_or_else(|| RegistryError::new("no cache dir is known (set GATE_CACHE_DIR)"))?;
    gate_oci::check_compatible(&p)?;
    let sigs = load_signatures(dir, &p.digest)?;
    cache.store_pack(&p, &Stderr::new())?;
    for s in &sigs {
        cache.put_signature(&p.digest, s)?;
    }
    // A digest pins the pack itself; only a tag is a name to record (as
    // `fetch` does), else `repo@sha256:…` would overwrite `repo:latest`.
    if r.digest.is_none() {
        cache.put_ref(r, &p.digest)?;
    }
    print(format!(
        "{} {} ({})\n",
        r.without_policy(),
        p.digest,
        gate_codes::wording::count(sigs.len(), "signature", "signatures")
    ))
}

/// `gate pack sign`: a signature of the pack in the registry, pushed there.
fn sign(r: &Reference, key: &Path, insecure: bool) -> Result<Exit, GateError> {
    let secret = SecretKey::load(key).map_err(|e| GateError::Usage(e.message))?;
    let insecure = online(insecure, "sign")?;
    let signed = gate_oci::sign_pack(r, &secret, insecure, &Stderr::new())?;
    print(format!(
        "signed {} with {}: {}\n",
        signed.digest,
        secret.public_key_text(),
        signed.signature
    ))
}

/// `gate pack verify` of a layout directory or a pack in a registry.
fn verify(r: &str, keys: &[String], insecure: bool) -> Result<Exit, GateError> {
    let keys: Vec<PublicKey> =
        load_keys(keys, Path::new(".")).map_err(|e| GateError::Usage(e.message))?;
    if let Some((dir, tag)) = layout_arg(r) {
        // An OCI layout from `gate pack save`: check it before `load`.
        let p = read_layout(&dir, tag.as_deref())?;
        let docs = load_signatures(&dir, &p.digest)?;
        verify_any(r, &p.digest, &docs, &keys)?;
        return print(format!("{}: signature verified\n", p.digest));
    }
    let r = reference(r)?;
    // The whole pack is fetched and digest-checked (offline: from the
    // cache), then its signatures are checked against the keys.
    let mut o = Options::default().with_env();
    o.insecure |= insecure;
    let fetched = gate_oci::fetch(&r, &o, &keys, None, &Stderr::new())?;
    print(format!("{}: signature verified\n", fetched.pack.digest))
}

fn build(dir: &Path, output: Option<PathBuf>) -> Result<Exit, GateError> {
    let (manifest, p, built) = build_pack(dir).map_err(|e| GateError::Usage(e.message))?;
    let out = output
        .unwrap_or_else(|| PathBuf::from(format!("{}-{}.oci", manifest.name, manifest.version)));
    write_layout(&out, &p, &manifest.version)?;
    let mut text = format!(
        "built {} {} into {} ({})\n",
        manifest.name,
        manifest.version,
        out.display(),
        p.digest
    );
    for b in built {
        text.push_str(&format!(
            "  {}: {} {} {} ({} bytes)\n",
            b.name, b.policy, b.version, b.digest, b.size
        ));
    }
    print(text)
}

fn push(source: &str, r: &Reference, insecure: bool) -> Result<Exit, GateError> {
    if r.digest.is_some() {
        return Err(GateError::Usage(format!(
            "{r}: push to a tag, not a digest"
        )));
    }
    let p = if Path::new(source).join("pack.toml").is_file() {
        build_pack(Path::new(source))
            .map_err(|e| GateError::Usage(e.message))?
            .1
    } else {
        let (dir, tag) = layout_arg(source).ok_or_else(|| {
            GateError::Usage(format!(
                "{source}: neither a pack directory (pack.toml) nor an OCI image layout"
            ))
        })?;
        read_layout(&dir, tag.as_deref())?
    };
    let insecure = online(insecure, "push")?;
    gate_oci::push(r, &p, insecure, &Stderr::new())?;
    print(format!("pushed {}@{}\n", r.without_policy(), p.digest))
}

/// What `gate pack inspect` prints.
fn inspect_text(shown: &str, p: &Pack, json: bool) -> String {
    let policies: Vec<serde_json::Value> = p
        .layers
        .iter()
        .zip(p.policies())
        .map(|((d, bytes), (name, _))| {
            serde_json::json!({
                "name": name,
                "digest": d.digest,
                "size": d.size,
                "media-type": d.media_type,
                "metadata": embedded_json(bytes)
                    .unwrap_or_else(|e| Some(serde_json::json!({"error": e.message}))),
            })
        })
        .collect();
    if json {
        let manifest: serde_json::Value =
            serde_json::from_slice(&p.manifest_bytes).unwrap_or(serde_json::Value::Null);
        let doc = serde_json::json!({
            "reference": shown,
            "digest": p.digest,
            "name": p.name(),
            "version": p.version(),
            "description": p.description(),
            "policies": policies,
            "manifest": manifest,
        });
        return format!(
            "{}\n",
            serde_json::to_string_pretty(&doc).unwrap_or_default()
        );
    }
    let mut text = format!("{shown}\n");
    text.push_str(&format!("  digest:      {}\n", p.digest));
    text.push_str(&format!("  name:        {}\n", p.name()));
    text.push_str(&format!("  version:     {}\n", p.version()));
    text.push_str(&format!("  description: {}\n", p.description()));
    text.push_str(&format!(
        "  config:      {}\n",
        p.manifest.config.media_type
    ));
    text.push_str("  policies:\n");
    for ((d, bytes), (name, _)) in p.layers.iter().zip(p.policies()) {
        text.push_str(&format!("    {name}  {}  {} bytes\n", d.digest, d.size));
        // The defaults gate.toml inherits when it gives no level/params.
        match Embedded::of(bytes) {
            Ok(Some(e)) => {
                let level = e
                    .policy
                    .level
                    .map_or_else(|| "hard".to_string(), |l| format!("{l:?}").to_lowercase());
                let params = e.policy.params.map(serde_json::Value::Object);
                text.push_str(&format!(
                    "      level {level}, params {}\n",
                    params.map_or_else(|| "{}".to_string(), |p| p.to_string())
                ));
                // A Rego policy: the files its layer embeds.
                if let Some(r) = &e.policy.rego {
                    let paths = |files: &[gate_oci::RegoFile]| {
                        files
                            .iter()
                            .map(|f| f.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    text.push_str(&format!("      rego: {}\n", paths(&r.modules)));
                    if !r.data.is_empty() {
                        text.push_str(&format!("      data: {}\n", paths(&r.data)));
                    }
                }
            }
            Ok(None) => {}
            Err(e) => text.push_str(&format!("      pack metadata: {e}\n")),
        }
    }
    text
}

fn update(config: Option<PathBuf>) -> Result<Exit, GateError> {
    let path = config.unwrap_or_else(|| PathBuf::from("gate.toml"));
    let cfg = super::check::load_config(&path)?;
    let base = cfg.base_dir();
    let mut o = Options::default().with_env();
    super::check::apply_registry(&cfg, &mut o);
    let lock_path = base.join("gate.lock");
    let mut lock = LockFile::load(&lock_path)?;
    let keys = load_keys(&o.trusted_keys, &o.key_base)?;
    let stderr = Stderr::new();
    let mut seen = Vec::new();
    let mut text = String::new();
    for p in &cfg.config.policies {
        let PolicyRef::Oci(s) = PolicyRef::parse(p.uses.get_ref(), &base) else {
            continue;
        };
        let r = Reference::parse(&s)?;
        let key = r.lock_key();
        if seen.contains(&key) {
            continue;
        }
        let pack = gate_oci::fetch(&r, &o, &keys, None, &stderr)?.pack;
        let old = lock.get(&key).map(str::to_string);
        lock.set(&key, &pack.digest);
        text.push_str(&match old {
            Some(old) if old != pack.digest => format!("{key}: {old} -> {}\n", pack.digest),
            Some(_) => format!("{key}: {} (unchanged)\n", pack.digest),
            None => format!("{key}: {}\n", pack.digest),
        });
        seen.push(key);
    }
    lock.retain(|reference| seen.iter().any(|s| s == reference));
    lock.save(&lock_path)?;
    print(text)
}

fn keygen(output: &Path) -> Result<Exit, GateError> {
    let key = SecretKey::generate().map_err(|e| GateError::Usage(e.message))?;
    let pub_path = PathBuf::from(format!("{}.pub", output.display()));
    if output.exists() {
        return Err(GateError::Usage(format!(
            "{} exists; not overwriting a key",
            output.display()
        )));
    }
    // Created 0600 (less the umask): the secret is never readable by others,
    // not even between writing and a chmod.
    crate::fsutil::write_file_mode(output, format!("{}\n", key.to_base64()).as_bytes(), 0o600)
        .map_err(|e| {
            GateError::Output(format!(
                "cannot write {}: {}",
                output.display(),
                crate::fsutil::lower(&e)
            ))
        })?;
    crate::fsutil::write_file(&pub_path, format!("{}\n", key.public_key_text()).as_bytes())
        .map_err(|e| {
            RegistryError::new(format!(
                "cannot write {}: {}",
                pub_path.display(),
                crate::fsutil::lower(&e)
            ))
        })?;
    print(format!("{}\n", key.public_key_text()))
}
