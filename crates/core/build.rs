//! Reads from the C headers the constants the `libc` crate does not carry
//! (TIPC, CAN BCM, VSOCK, ALG, a few IP/INADDR names): a small C program prints
//! them, and the values land in OUT_DIR/header_constants.rs. The program runs
//! on the machine that builds, so it is built only when that is the target
//! (TARGET == HOST): a cross build (`cargo check --target`, a prebuilt binary
//! for another OS) skips the probe, and those names are left out, as they are
//! where there is no C compiler; the names of the `libc` crate (constants.rs)
//! are all the module then has. Python too leaves out what a platform lacks.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Headers, each with the names it provides.
const GROUPS: &[(&str, &[&str])] = &[
    // SOL_RDS: the libc crate has it with glibc only.
    ("<sys/socket.h>", &["SOL_RDS"]),
    // select module: the one POLL* name the libc crate lacks.
    ("<poll.h>", &["POLLMSG"]),
    (
        "<netinet/in.h>",
        &[
            "INADDR_ALLHOSTS_GROUP",
            "INADDR_MAX_LOCAL_GROUP",
            "INADDR_UNSPEC_GROUP",
            "IPPORT_RESERVED",
            "IPPORT_USERRESERVED",
            "IPV6_JOIN_GROUP",
            "IPV6_LEAVE_GROUP",
            "IPV6_RTHDR_TYPE_0",
            "IP_MAX_MEMBERSHIPS",
            "IP_OPTIONS",
            "IP_RECVRETOPTS",
        ],
    ),
    (
        "<netdb.h>",
        // AI_IDN, AI_CANONIDN, NI_IDN, EAI_IDN_ENCODE: glibc's, which Python leaves out.
        &[
            "EAI_ADDRFAMILY",
            "NI_MAXSERV",
            "AI_IDN",
            "AI_CANONIDN",
            "NI_IDN",
            "EAI_IDN_ENCODE",
        ],
    ),
    ("<linux/if_packet.h>", &["PACKET_FASTROUTE"]),
    ("<linux/qrtr.h>", &["AF_QIPCRTR"]),
    (
        "<linux/if_alg.h>",
        &["ALG_OP_SIGN", "ALG_OP_VERIFY", "ALG_SET_PUBKEY"],
    ),
    (
        "<linux/vm_sockets.h>",
        &[
            "IOCTL_VM_SOCKETS_GET_LOCAL_CID",
            "SO_VM_SOCKETS_BUFFER_MAX_SIZE",
            "SO_VM_SOCKETS_BUFFER_MIN_SIZE",
            "SO_VM_SOCKETS_BUFFER_SIZE",
            "VM_SOCKETS_INVALID_VERSION",
        ],
    ),
    (
        "<linux/can/bcm.h>",
        &[
            "CAN_BCM_TX_SETUP",
            "CAN_BCM_TX_DELETE",
            "CAN_BCM_TX_READ",
            "CAN_BCM_TX_SEND",
            "CAN_BCM_RX_SETUP",
            "CAN_BCM_RX_DELETE",
            "CAN_BCM_RX_READ",
            "CAN_BCM_TX_STATUS",
            "CAN_BCM_TX_EXPIRED",
            "CAN_BCM_RX_STATUS",
            "CAN_BCM_RX_TIMEOUT",
            "CAN_BCM_RX_CHANGED",
            "CAN_BCM_SETTIMER",
            "CAN_BCM_STARTTIMER",
            "CAN_BCM_TX_COUNTEVT",
            "CAN_BCM_TX_ANNOUNCE",
            "CAN_BCM_TX_CP_CAN_ID",
            "CAN_BCM_RX_FILTER_ID",
            "CAN_BCM_RX_CHECK_DLC",
            "CAN_BCM_RX_NO_AUTOTIMER",
            "CAN_BCM_RX_ANNOUNCE_RESUME",
            "CAN_BCM_TX_RESET_MULTI_IDX",
            "CAN_BCM_RX_RTR_FRAME",
            "CAN_BCM_CAN_FD_FRAME",
        ],
    ),
    (
        "<linux/tipc.h>",
        &[
            "TIPC_ADDR_ID",
            "TIPC_ADDR_NAME",
            "TIPC_ADDR_NAMESEQ",
            "TIPC_CFG_SRV",
            "TIPC_CLUSTER_SCOPE",
            "TIPC_CONN_TIMEOUT",
            "TIPC_CRITICAL_IMPORTANCE",
            "TIPC_DEST_DROPPABLE",
            "TIPC_HIGH_IMPORTANCE",
            "TIPC_IMPORTANCE",
            "TIPC_LOW_IMPORTANCE",
            "TIPC_MEDIUM_IMPORTANCE",
            "TIPC_NODE_SCOPE",
            "TIPC_PUBLISHED",
            "TIPC_SRC_DROPPABLE",
            "TIPC_SUBSCR_TIMEOUT",
            "TIPC_SUB_CANCEL",
            "TIPC_SUB_PORTS",
            "TIPC_SUB_SERVICE",
            "TIPC_TOP_SRV",
            "TIPC_WAIT_FOREVER",
            "TIPC_WITHDRAWN",
            "TIPC_ZONE_SCOPE",
        ],
    ),
    ("<netinet/udp.h>", &["UDPLITE_RECV_CSCOV", "UDPLITE_SEND_CSCOV"]),
];

/// Names the `libc` crate has only with some C libraries (constants.rs lists
/// them there), each with the C condition that says so: read from the headers
/// everywhere else.
const LIBC_HAS: &[(&str, &str)] = &[("IP_OPTIONS", "defined(__linux__)")];

/// The C name of a Python name: CAN BCM's opcodes and flags drop the prefix.
fn c_name(python: &str) -> String {
    python.strip_prefix("CAN_BCM_").unwrap_or(python).to_string()
}

/// The C condition under which a name exists: a macro is tested by name; enum
/// values (CAN BCM's, TIPC's scopes, glibc's IPPORT_*) by their header or C library.
fn defined(python: &str, c: &str, group: usize) -> String {
    if python.starts_with("CAN_BCM_") || matches!(python, "TIPC_CLUSTER_SCOPE" | "TIPC_NODE_SCOPE") {
        format!("defined(HAVE_{group})")
    } else if python.starts_with("IPPORT_") {
        format!("defined({c}) || defined(__GLIBC__)")
    } else if let Some((_, libc_has)) = LIBC_HAS.iter().find(|(name, _)| *name == python) {
        format!("defined({c}) && !({libc_has})")
    } else {
        format!("defined({c})")
    }
}

fn program() -> String {
    let mut src = String::from(
        "#define _GNU_SOURCE\n#include <stdio.h>\n#include <sys/types.h>\n#include <sys/socket.h>\n\
         #include <sys/ioctl.h>\n#include <netinet/in.h>\n#include <netdb.h>\n",
    );
    for (i, (header, _)) in GROUPS.iter().enumerate() {
        src += &format!("#if __has_include({header})\n#include {header}\n#define HAVE_{i} 1\n#endif\n");
    }
    src += "#define P(py, c) printf(\"    (\\\"%s\\\", %lld),\\n\", py, (long long)(c));\nint main(void) {\n";
    for (i, (_, names)) in GROUPS.iter().enumerate() {
        src += &format!("#ifdef HAVE_{i}\n");
        for name in names.iter() {
            let c = c_name(name);
            src += &format!("#if {}\n  P(\"{name}\", {c})\n#endif\n", defined(name, &c, i));
        }
        src += "#endif\n";
    }
    src + "  return 0;\n}\n"
}

fn probe(out: &Path) -> Option<String> {
    // Cross-compiling: the program could not run here, nor would it read the
    // target's headers. See the module comment.
    let native = env::var("TARGET").ok()? == env::var("HOST").ok()?;
    if !native || env::var("CARGO_CFG_TARGET_FAMILY").ok()? != "unix" {
        return None;
    }
    let c_file = out.join("header_constants.c");
    let exe = out.join("header_constants");
    fs::write(&c_file, program()).ok()?;
    let cc = env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let mut cmd = Command::new(cc);
    cmd.arg(&c_file).arg("-o").arg(&exe);
    if !cmd.status().ok()?.success() {
        return None;
    }
    let output = Command::new(&exe).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The systems whose socket(2), socketpair(2), accept4(2) and pipe2(2) take
/// close-on-exec and non-blocking as flags, and whose send calls take
/// MSG_NOSIGNAL, and whose recvmsg(2) takes MSG_CMSG_CLOEXEC: `cfg(atomic_cloexec)`
/// in sys/unix/mod.rs and sys/unix/msg.rs.
const ATOMIC_CLOEXEC: &[&str] = &["linux", "android", "freebsd", "dragonfly", "netbsd", "openbsd"];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-check-cfg=cfg(atomic_cloexec)");
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if ATOMIC_CLOEXEC.contains(&os.as_str()) {
        println!("cargo:rustc-cfg=atomic_cloexec");
    }
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_else(|_| ".".to_string()));
    let entries = probe(&out).unwrap_or_default();
    let rust = format!("/// Constants read from the C headers at build time.\npub const HEADERS: &[(&str, i64)] = &[\n{entries}];\n");
    if let Err(e) = fs::write(out.join("header_constants.rs"), rust) {
        panic!("cannot write header_constants.rs: {e}");
    }
}
