//! The built-in reserved names. They are compared through the reserved key (uniqueness key plus
//! leetspeak digits), never as substrings: `ADMIN`, `adm1n`, `ad.min` and `аdmin` are reserved,
//! `badminton` is not.

use super::key::{reserved_key, uniqueness_key};
use std::collections::HashSet;
use std::sync::LazyLock;

/// Names no user may take. Spelled as people would type them; the comparison folds case,
/// look-alikes and separators, so `no-reply` also covers `noreply` and `No_Reply`.
pub const BUILT_IN: &[&str] = &[
    // staff and authority
    "admin",
    "administrator",
    "admins",
    "root",
    "superuser",
    "sysadmin",
    "sudo",
    "su",
    "support",
    "security",
    "staff",
    "official",
    "moderator",
    "moderators",
    "mod",
    "mods",
    "system",
    "sys",
    "owner",
    "founder",
    "team",
    "helpdesk",
    "help",
    "service",
    "services",
    "trust",
    "safety",
    "trust-and-safety",
    "compliance",
    "legal",
    "billing",
    "verified",
    "operator",
    "sysop",
    "webmaster",
    "hostmaster",
    "master",
    // system and service accounts
    "daemon",
    "bin",
    "nobody",
    "nogroup",
    "guest",
    "anonymous",
    "anon",
    "www",
    "www-data",
    "apache",
    "nginx",
    "httpd",
    "mysql",
    "postgres",
    "redis",
    "ftp",
    "sftp",
    "ssh",
    "git",
    "cron",
    "backup",
    "localhost",
    "server",
    "api",
    "bot",
    "bots",
    "cognito",
    "aws",
    "lambda",
    // mail roles (RFC 2142 and common automated senders)
    "postmaster",
    "abuse",
    "noc",
    "info",
    "marketing",
    "sales",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "mailer-daemon",
    "mailerdaemon",
    "mail",
    "email",
    "listserv",
    "majordomo",
    "bounce",
    "bounces",
    "unsubscribe",
    "usenet",
    "news",
    "uucp",
    // web paths and well-known files
    "robots.txt",
    "favicon.ico",
    "sitemap.xml",
    "humans.txt",
    "security.txt",
    "ads.txt",
    "well-known",
    "index",
    "index.html",
    "login",
    "logout",
    "signin",
    "sign-in",
    "signout",
    "sign-out",
    "signup",
    "sign-up",
    "register",
    "auth",
    "oauth",
    "callback",
    "settings",
    "account",
    "accounts",
    "profile",
    "dashboard",
    "home",
    "search",
    "about",
    "contact",
    "terms",
    "privacy",
    "static",
    "assets",
    "public",
    "cdn",
    "media",
    "images",
    "download",
    "downloads",
    "upload",
    "uploads",
    "graphql",
    "rss",
    "feed",
    "atom",
    "status",
    "health",
    "healthz",
    "metrics",
    "docs",
    "wiki",
    "blog",
    "explore",
    "notifications",
    "messages",
    "inbox",
    "users",
    "user",
    "username",
    "usernames",
    // mention keywords
    "everyone",
    "here",
    "channel",
    "all",
    "group",
    "online",
    "someone",
    // sentinel values
    "null",
    "nil",
    "none",
    "undefined",
    "nan",
    "true",
    "false",
    "void",
    "empty",
    "blank",
    "unknown",
    "deleted",
    "removed",
    "invalid",
    "error",
    "default",
    "test",
    "example",
    "infinity",
    "self",
    "this",
    "me",
    "you",
];

static BUILT_IN_KEYS: LazyLock<HashSet<String>> =
    LazyLock::new(|| key_set(BUILT_IN.iter().copied()));

/// The reserved keys of `names`.
pub(crate) fn key_set<'a>(names: impl IntoIterator<Item = &'a str>) -> HashSet<String> {
    names
        .into_iter()
        .map(|n| reserved_key(&uniqueness_key(n)))
        .collect()
}

/// Whether a name with this uniqueness key is reserved by the built-in list or `extra`.
pub(crate) fn is_reserved(uniqueness_key: &str, extra: &HashSet<String>) -> bool {
    let key = reserved_key(uniqueness_key);
    BUILT_IN_KEYS.contains(&key) || extra.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reserved(name: &str) -> bool {
        is_reserved(&uniqueness_key(name), &HashSet::new())
    }

    #[test]
    fn variants_of_reserved_names_are_reserved() {
        for name in [
            "admin",
            "ADMIN",
            "Admin",
            "adm1n",
            "4dmin",
            "ad.min",
            "ad_min",
            "аdmin",
            "r00t",
            "no_reply",
            "NoReply",
            "mailer.daemon",
            "robots_txt",
            "favicon.ico",
            "well_known",
            "everyone",
            "here",
            "null",
            "NaN",
            "undefined",
            "true",
            "False",
            "administrator",
            "m0derator",
        ] {
            assert!(reserved(name), "{name}");
        }
    }

    #[test]
    fn no_substring_matching() {
        for name in [
            "badminton",
            "administration_fan",
            "rooter",
            "supporters",
            "nullify",
            "herearealice",
            "alice",
        ] {
            assert!(!reserved(name), "{name}");
        }
    }

    #[test]
    fn extra_names_extend_the_list() {
        let extra = key_set(["acme", "ceo"]);
        assert!(is_reserved(&uniqueness_key("ACME"), &extra));
        assert!(is_reserved(&uniqueness_key("c.e.o"), &extra));
        assert!(!is_reserved(&uniqueness_key("acmes"), &extra));
    }
}
