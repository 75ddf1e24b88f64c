//! Synthetic Iris Investigate exports: a domain count and a seed to a JSON array of records
//! shaped like real Iris records, for benchmarks and tests at sizes no real fixture has.
//!
//! Real investigations mix a few actors, who reuse rare infrastructure across the domains
//! they register, with commodity services that thousands of unrelated domains share. The
//! generator builds the set the same way, because scoring cost depends on exactly that mix:
//!
//! - Domains come in actor clusters with a heavy-tailed size (Pareto, most of 2–10 domains,
//!   a few of hundreds), plus unrelated single domains.
//! - An actor may own dedicated IP addresses, name servers, TLS certificates, Google
//!   Analytics and AdSense IDs, and mail servers, all with low Iris counts.
//! - Registrars, hosting providers (ISP, ASN, country), commodity name servers and mail
//!   providers are drawn from Zipf distributions over real-looking values with counts in the
//!   millions, so the most popular one has about a quarter of the set.
//! - Names follow per-actor templates such as `{brand}-login-{word}` that produce shared
//!   substrings, or random letters that do not.
//! - Records may be inactive (`active: false` or `null`), miss whole fields, carry empty
//!   `{"value": "", "count": 0}` values, integer ASNs and Analytics IDs, and risk scores.
//!
//! Output depends only on the count and the seed, because every random choice comes from
//! one SplitMix64 stream and no hash map is iterated.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::rng::SplitMix64;

/// Generates `count` synthetic Iris records from `seed`, as a JSON array value.
///
/// Costs O(count) time and about 6 KB of JSON per record, like real exports whose WHOIS
/// contact blocks make up most of the text.
pub fn generate(count: usize, seed: u64) -> Value {
    Value::Array(generate_records(count, seed))
}

/// Generates `count` synthetic Iris records from `seed`, one JSON object per record.
pub fn generate_records(count: usize, seed: u64) -> Vec<Value> {
    let mut generator = Generator::new(seed);
    let mut records = Vec::with_capacity(count);
    while records.len() < count {
        let remaining = count - records.len();
        let actor = generator.new_actor(remaining);
        for _ in 0..actor.size {
            records.push(generator.record(&actor));
        }
    }
    records
}

/// Generates `count` synthetic Iris records from `seed` as compact JSON bytes: the
/// bytes of [`generate`] serialized, written one record at a time so that no tree of the
/// whole export is built.
pub fn generate_json(count: usize, seed: u64) -> Vec<u8> {
    let mut generator = Generator::new(seed);
    let mut bytes = vec![b'['];
    let mut written = 0;
    while written < count {
        let actor = generator.new_actor(count - written);
        for _ in 0..actor.size {
            if written > 0 {
                bytes.push(b',');
            }
            // Serializing a `Value` into memory cannot fail, because its keys are strings
            // and it contains no NaN.
            let _ = serde_json::to_writer(&mut bytes, &generator.record(&actor));
            written += 1;
        }
    }
    bytes.push(b']');
    bytes
}

/// Draws of the kinds the generator needs.
impl SplitMix64 {
    /// Returns a uniform value in `[0, n)`, for a positive `n`. The modulo bias is below
    /// 2^-40 for the small `n` used here.
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Returns a uniform value in `low..=high`.
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Index drawn from a Zipf distribution with exponent 1 over `len` ranks: rank `r`
    /// (from 0) has probability proportional to `1 / (r + 1)`.
    fn zipf(&mut self, len: usize) -> usize {
        let harmonic: f64 = (1..=len).map(|r| 1.0 / r as f64).sum();
        let mut target = self.unit() * harmonic;
        for rank in 0..len {
            target -= 1.0 / (rank + 1) as f64;
            if target < 0.0 {
                return rank;
            }
        }
        len - 1
    }

    fn hex(&mut self, digits: usize) -> String {
        (0..digits)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16) as usize]))
            .collect()
    }

    fn letters(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'a' + self.below(26) as u8))
            .collect()
    }
}

/// Registrars with Iris counts of the order seen in real exports, most popular first.
const REGISTRARS: &[(&str, u64)] = &[
    ("GODADDY.COM, LLC", 104_515_682),
    ("NAMECHEAP, INC", 9_367_893),
    ("TUCOWS DOMAINS INC", 5_285_599),
    ("PDR LTD. D/B/A PUBLICDOMAINREGISTRY.COM", 14_112_607),
    ("GOOGLE LLC", 7_916_681),
    ("NAMESILO, LLC", 6_488_400),
    ("NETWORK SOLUTIONS, LLC", 8_452_656),
    ("DYNADOT LLC", 1_184_991),
    ("GANDI SAS", 1_332_171),
    ("1&1 IONOS SE", 7_031_564),
    ("NAME.COM, INC", 4_049_968),
    ("ENOM, LLC", 734_851),
    ("PORKBUN", 134_843),
    ("HOSTING CONCEPTS B.V. D/B/A REGISTRAR.EU", 739_528),
    ("REGRU-RU", 2_604_339),
    ("ALIBABA CLOUD COMPUTING (BEIJING) CO., LTD.", 3_822_105),
    ("OVH SAS", 2_987_001),
    ("EPIK INC.", 402_118),
    ("SOLUCIONES CORPORATIVAS IP, SL", 72_894),
    ("COMMUNI GAL COMMUNICATIONS LTD", 52_503),
];

/// A hosting provider: ISP name and count, ASN and count, country code and count, and the
/// first two octets of its address space.
struct Provider {
    isp: &'static str,
    isp_count: u64,
    asn: u64,
    asn_count: u64,
    country: &'static str,
    country_count: u64,
    prefix: &'static str,
}

const PROVIDERS: &[Provider] = &[
    Provider {
        isp: "Amazon Technologies Inc.",
        isp_count: 16_689_870,
        asn: 14618,
        asn_count: 13_988_745,
        country: "us",
        country_count: 356_437_169,
        prefix: "52.20",
    },
    Provider {
        isp: "Namecheap Inc.",
        isp_count: 12_205_642,
        asn: 22612,
        asn_count: 20_307_074,
        country: "us",
        country_count: 356_437_169,
        prefix: "198.54",
    },
    Provider {
        isp: "CloudFlare Inc.",
        isp_count: 24_402_918,
        asn: 13335,
        asn_count: 29_254_695,
        country: "us",
        country_count: 356_437_169,
        prefix: "104.21",
    },
    Provider {
        isp: "Google LLC",
        isp_count: 52_550_410,
        asn: 15169,
        asn_count: 53_547_138,
        country: "us",
        country_count: 356_437_169,
        prefix: "34.102",
    },
    Provider {
        isp: "GoDaddy.com LLC",
        isp_count: 114_720_454,
        asn: 26496,
        asn_count: 114_326_049,
        country: "us",
        country_count: 356_437_169,
        prefix: "184.168",
    },
    Provider {
        isp: "Sedo GmbH",
        isp_count: 16_389_821,
        asn: 47846,
        asn_count: 16_184_628,
        country: "de",
        country_count: 61_246_582,
        prefix: "91.195",
    },
    Provider {
        isp: "OVH SAS",
        isp_count: 9_120_447,
        asn: 16276,
        asn_count: 9_884_210,
        country: "fr",
        country_count: 21_045_777,
        prefix: "51.68",
    },
    Provider {
        isp: "Hetzner Online GmbH",
        isp_count: 6_044_918,
        asn: 24940,
        asn_count: 6_210_332,
        country: "de",
        country_count: 61_246_582,
        prefix: "88.99",
    },
    Provider {
        isp: "Trellian Pty. Limited",
        isp_count: 1_543_279,
        asn: 133618,
        asn_count: 1_194_054,
        country: "au",
        country_count: 6_192_694,
        prefix: "103.224",
    },
    Provider {
        isp: "DigitalOcean LLC",
        isp_count: 4_310_559,
        asn: 14061,
        asn_count: 4_402_980,
        country: "us",
        country_count: 356_437_169,
        prefix: "167.99",
    },
    Provider {
        isp: "M247 Europe SRL",
        isp_count: 70_308,
        asn: 9009,
        asn_count: 201_188,
        country: "gb",
        country_count: 17_999_997,
        prefix: "185.236",
    },
    Provider {
        isp: "Hawk Host Inc.",
        isp_count: 213_912,
        asn: 20068,
        asn_count: 90_194,
        country: "ca",
        country_count: 11_158_553,
        prefix: "198.252",
    },
    Provider {
        isp: "Shinjiru Technology Sdn Bhd",
        isp_count: 88_713,
        asn: 45839,
        asn_count: 92_004,
        country: "my",
        country_count: 1_204_533,
        prefix: "101.99",
    },
    Provider {
        isp: "Private Layer INC",
        isp_count: 55_902,
        asn: 51852,
        asn_count: 57_118,
        country: "pa",
        country_count: 702_116,
        prefix: "179.43",
    },
];

/// Commodity name-server domains with counts, most popular first.
const NS_PROVIDERS: &[(&str, u64)] = &[
    ("domaincontrol.com", 166_979_643),
    ("registrar-servers.com", 22_230_212),
    ("cloudflare.com", 27_114_090),
    ("foundationapi.com", 20_939_006),
    ("googledomains.com", 10_362_172),
    ("dynadot.com", 3_387_714),
    ("above.com", 2_411_413),
    ("ovh.net", 3_005_118),
    ("hawkhost.com", 159_329),
    ("monovm.com", 45_167),
];

/// Commodity mail domains with counts, most popular first.
const MAIL_PROVIDERS: &[(&str, u64)] = &[
    ("google.com", 21_457_895),
    ("registrar-servers.com", 13_657_325),
    ("outlook.com", 11_444_154),
    ("mailhostbox.com", 832_044),
    ("privateemail.com", 802_575),
    ("above.com", 1_896_296),
];

const BRANDS: &[&str] = &[
    "paypal",
    "amazon",
    "microsoft",
    "office365",
    "netflix",
    "apple",
    "wellsfargo",
    "chase",
    "coinbase",
    "binance",
    "metamask",
    "outlook",
    "dropbox",
    "docusign",
    "linkedin",
    "facebook",
    "instagram",
    "whatsapp",
    "americanexpress",
    "bankofamerica",
    "irs",
    "usps",
    "fedex",
    "dhl",
    "steam",
    "roblox",
    "adobe",
    "zoom",
    "ledger",
    "trezor",
    "blockchain",
    "walmart",
    "costco",
    "verizon",
    "att",
    "tmobile",
    "citibank",
    "hsbc",
    "santander",
    "revolut",
];

const WORDS: &[&str] = &[
    "login", "secure", "account", "verify", "update", "support", "service", "online", "billing",
    "payment", "wallet", "signin", "auth", "help", "center", "portal", "access", "confirm",
    "recovery", "unlock", "review", "alert", "notice", "refund", "claim", "bonus", "promo", "gift",
    "track", "delivery", "parcel", "invoice", "secure2", "mobile", "app", "web", "cloud", "mail",
    "id", "customer", "client", "user", "members", "team", "desk", "info", "news", "shop", "store",
    "deals", "office", "global", "us", "eu", "int",
];

const TLDS: &[&str] = &[
    "com", "net", "org", "xyz", "top", "online", "info", "site", "us", "shop", "co", "io", "app",
    "live",
];

/// Naming scheme of an actor's domains.
#[derive(Clone, Copy)]
enum NameTemplate {
    /// `{brand}-login-{word}`: a long shared run plus a varying tail.
    BrandLoginWord,
    /// `{word}-{brand}-{word}`.
    WordBrandWord,
    /// `secure-{brand}{digits}`.
    SecureBrandDigits,
    /// `{word}{brand}{word}`, no separators.
    Concatenated,
    /// Random letters, as domain generation algorithms produce; rarely any shared run.
    Random,
    /// `{word}-{word}{digits}`, no brand.
    Generic,
}

const TEMPLATES: &[NameTemplate] = &[
    NameTemplate::BrandLoginWord,
    NameTemplate::WordBrandWord,
    NameTemplate::SecureBrandDigits,
    NameTemplate::Concatenated,
    NameTemplate::Random,
    NameTemplate::Generic,
];

/// Web hosting of an actor's domains.
enum Hosting {
    /// A few IP addresses of the actor's own (low counts).
    Dedicated { addresses: Vec<(String, u64)> },
    /// Shared addresses of a commodity provider (counts in the thousands to millions).
    Shared,
}

/// One registrant: a cluster of domains with shared habits and infrastructure. An unrelated
/// single domain is an actor of size 1.
struct Actor {
    size: usize,
    brand: &'static str,
    template: NameTemplate,
    tld: &'static str,
    registrar: usize,
    provider: usize,
    hosting: Hosting,
    /// First three octets of the actor's own addresses (dedicated web, name and mail
    /// servers).
    network: String,
    /// Dedicated name-server domain with its count, or `None` for a commodity provider.
    name_server: Option<(String, u64)>,
    ns_provider: usize,
    /// Shared TLS certificate hash and subject, when the actor reuses one.
    certificate: Option<(String, String)>,
    analytics: Option<u64>,
    adsense: Option<String>,
    /// Mail: `None` for no MX record, `Some(None)` for a commodity provider, otherwise a
    /// dedicated mail domain.
    mail: Option<Option<String>>,
    mail_provider: usize,
    redirect: Option<String>,
    /// Registration days since 2019-01-01 that the actor registers in bursts on.
    burst_days: Vec<u64>,
    /// Registrant persona name when the actor does not use a privacy service.
    persona: Option<String>,
    risk: f64,
    active_rate: f64,
}

struct Generator {
    rng: SplitMix64,
    used_names: HashSet<String>,
    next_actor: u64,
}

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            rng: SplitMix64(seed),
            used_names: HashSet::new(),
            next_actor: 0,
        }
    }

    /// Draws the next actor, with at most `remaining` domains.
    fn new_actor(&mut self, remaining: usize) -> Actor {
        let rng = &mut self.rng;
        self.next_actor += 1;
        let tag = format!("{:x}", self.next_actor * 7919 + rng.below(7919));
        // A quarter of the actors are unrelated single domains. The others own clusters
        // whose size follows a Pareto law (x_min 2, alpha 1.3), capped at 400 domains.
        let size = if rng.chance(0.25) {
            1
        } else {
            let pareto = 2.0 / (1.0 - rng.unit()).powf(1.0 / 1.3);
            (pareto as usize).min(400)
        };
        let size = size.clamp(1, remaining);
        let solo = size == 1;

        let network = format!(
            "{}.{}.{}",
            rng.range(5, 223),
            rng.below(256),
            rng.below(256)
        );
        let hosting = if !solo && rng.chance(0.35) {
            let addresses = (0..rng.range(1, 3))
                .map(|_| {
                    let count = rng.range(1, 200);
                    (format!("{network}.{}", rng.range(20, 254)), count)
                })
                .collect();
            Hosting::Dedicated { addresses }
        } else {
            Hosting::Shared
        };
        let name_server = (!solo && rng.chance(0.25)).then(|| {
            let domain = format!("{}-dns.{}", rng.letters(6), rng.pick(&["com", "net", "ru"]));
            (domain, rng.range(2, 120))
        });
        let certificate = (!solo && rng.chance(0.4)).then(|| {
            let hash = rng.hex(40);
            (hash, format!("CN=*.{}{}.com", rng.letters(5), tag))
        });
        let mail = if rng.chance(0.45) {
            None
        } else if !solo && rng.chance(0.2) {
            Some(Some(format!("mail-{}.{}", rng.letters(5), rng.pick(TLDS))))
        } else {
            Some(None)
        };
        let burst_days = (0..rng.range(1, 3)).map(|_| rng.below(3 * 365)).collect();
        let high_risk = !solo || rng.chance(0.3);
        Actor {
            size,
            brand: BRANDS[rng.below(BRANDS.len() as u64) as usize],
            template: *rng.pick(TEMPLATES),
            tld: TLDS[rng.zipf(TLDS.len())],
            registrar: rng.zipf(REGISTRARS.len()),
            provider: rng.zipf(PROVIDERS.len()),
            hosting,
            network,
            name_server,
            ns_provider: rng.zipf(NS_PROVIDERS.len()),
            certificate,
            analytics: (!solo && rng.chance(0.15)).then(|| rng.range(10_000_000, 199_999_999)),
            adsense: (!solo && rng.chance(0.08))
                .then(|| format!("pub-{}", rng.range(1e15 as u64, 9e15 as u64))),
            mail,
            mail_provider: rng.zipf(MAIL_PROVIDERS.len()),
            redirect: (!solo && rng.chance(0.05)).then(|| format!("{}{}.com", rng.letters(7), tag)),
            burst_days,
            persona: (!solo && rng.chance(0.3)).then(|| format!("Person {}", rng.hex(8))),
            risk: if high_risk {
                60.0 + rng.unit() * 40.0
            } else {
                rng.unit() * 60.0
            },
            active_rate: 0.4 + rng.unit() * 0.55,
        }
    }

    /// Draws a domain name from the actor's template that no earlier record used.
    fn name(&mut self, actor: &Actor) -> String {
        let rng = &mut self.rng;
        let label = match actor.template {
            NameTemplate::BrandLoginWord => format!("{}-login-{}", actor.brand, rng.pick(WORDS)),
            NameTemplate::WordBrandWord => {
                format!("{}-{}-{}", rng.pick(WORDS), actor.brand, rng.pick(WORDS))
            }
            NameTemplate::SecureBrandDigits => {
                format!("secure-{}{}", actor.brand, rng.range(1, 999))
            }
            NameTemplate::Concatenated => {
                format!("{}{}{}", rng.pick(WORDS), actor.brand, rng.pick(WORDS))
            }
            NameTemplate::Random => {
                let len = rng.range(8, 16) as usize;
                rng.letters(len)
            }
            NameTemplate::Generic => {
                format!(
                    "{}-{}{}",
                    rng.pick(WORDS),
                    rng.pick(WORDS),
                    rng.range(1, 99)
                )
            }
        };
        let mut name = format!("{label}.{}", actor.tld);
        while self.used_names.contains(&name) {
            name = format!("{label}{}.{}", rng.range(2, 9999), actor.tld);
        }
        self.used_names.insert(name.clone());
        name
    }

    fn record(&mut self, actor: &Actor) -> Value {
        let domain = self.name(actor);
        let rng = &mut self.rng;
        let registrar = REGISTRARS[actor.registrar];
        // Actors mostly stick to one registrar; one domain in ten goes elsewhere.
        let registrar = if rng.chance(0.1) {
            REGISTRARS[rng.zipf(REGISTRARS.len())]
        } else {
            registrar
        };
        let day = if rng.chance(0.8) {
            *rng.pick(&actor.burst_days)
        } else {
            rng.below(3 * 365)
        };
        let create_date = date_from_day(day);
        let expiration_date = date_from_day(day + 365);
        let risk = (actor.risk + (rng.unit() - 0.5) * 20.0)
            .clamp(0.0, 100.0)
            .round();

        let mut record = Map::new();
        record.insert("domain".into(), json!(domain));
        record.insert(
            "whois_url".into(),
            json!(format!("https://whois.domaintools.com/{domain}")),
        );
        record.insert(
            "adsense".into(),
            maybe_value(actor.adsense.as_deref(), rng.range(2, 30)),
        );
        record.insert("alexa".into(), json!(""));
        // Most records state whether the domain resolves, and a few carry `null` or nothing.
        let active = rng.chance(actor.active_rate);
        match rng.below(50) {
            0 => {}
            1 => {
                record.insert("active".into(), Value::Null);
            }
            _ => {
                record.insert("active".into(), json!(active));
            }
        }
        let analytics = match actor.analytics {
            Some(id) if rng.chance(0.9) => json!({"value": id, "count": rng.range(2, 40)}),
            _ => empty_value(),
        };
        record.insert("google_analytics".into(), analytics);

        let persona = actor.persona.clone();
        let contact = contact(rng, persona.as_deref());
        record.insert("admin_contact".into(), contact.clone());
        record.insert("billing_contact".into(), contact_blank());
        record.insert("registrant_contact".into(), contact.clone());
        record.insert("technical_contact".into(), contact);
        record.insert(
            "create_date".into(),
            json!({"value": create_date, "count": rng.range(100_000, 500_000)}),
        );
        record.insert(
            "expiration_date".into(),
            json!({"value": expiration_date, "count": rng.range(200_000, 900_000)}),
        );
        record.insert(
            "email_domain".into(),
            json!([{"value": "registrar-servers.com", "count": 12_906_112}]),
        );
        record.insert(
            "soa_email".into(),
            json!([{"value": "hostmaster@registrar-servers.com", "count": 12_906_095}]),
        );
        record.insert("ssl_email".into(), json!([]));
        record.insert(
            "additional_whois_email".into(),
            json!([{"value": "abuse@namecheap.com", "count": 26_907_132}]),
        );

        let ip = self.ip_list(actor);
        let rng = &mut self.rng;
        record.insert("ip".into(), ip);
        record.insert("mx".into(), mx_list(rng, actor));
        record.insert("name_server".into(), name_servers(rng, actor));
        record.insert("domain_risk".into(), domain_risk(rng, risk));
        record.insert("redirect".into(), empty_value());
        let redirect = match &actor.redirect {
            Some(target) if rng.chance(0.7) => json!({"value": target, "count": rng.range(2, 50)}),
            _ => empty_value(),
        };
        record.insert("redirect_domain".into(), redirect);
        let registrant_name = match &actor.persona {
            Some(name) => json!({"value": name, "count": rng.range(5, 60)}),
            None => json!({"value": "Redacted for Privacy", "count": 40_114_902}),
        };
        record.insert("registrant_name".into(), registrant_name);
        record.insert("registrant_org".into(), empty_value());
        record.insert(
            "registrar".into(),
            json!({"value": registrar.0, "count": registrar.1}),
        );
        record.insert(
            "registrar_status".into(),
            json!([*rng.pick(&[
                "clientTransferProhibited",
                "addperiod clienttransferprohibited",
                "clienttransferprohibited pendingdelete"
            ])]),
        );
        record.insert("spf_info".into(), json!(""));
        record.insert("ssl_info".into(), ssl_list(rng, actor, &domain));
        record.insert("tld".into(), json!(actor.tld));
        let response = rng
            .pick(&[json!(""), json!(200), json!(200), json!(403), json!(500)])
            .clone();
        record.insert("website_response".into(), response);
        record.insert(
            "data_updated_timestamp".into(),
            json!("2021-03-31T21:56:25"),
        );
        record.insert("tags".into(), json!([]));

        // Real exports lose whole blocks now and then: a record without DNS data, an
        // unscored domain, a field exported as null.
        for key in ["ip", "mx", "name_server", "ssl_info", "domain_risk"] {
            match rng.below(60) {
                0 => {
                    record.remove(key);
                }
                1 => {
                    record.insert(key.into(), Value::Null);
                }
                _ => {}
            }
        }
        Value::Object(record)
    }

    fn ip_list(&mut self, actor: &Actor) -> Value {
        let rng = &mut self.rng;
        let provider = &PROVIDERS[actor.provider];
        let entries = match &actor.hosting {
            Hosting::Dedicated { addresses } => {
                let (address, count) = rng.pick(addresses);
                vec![ip_entry(provider, address, *count)]
            }
            Hosting::Shared => {
                // Parking and shared hosting put many domains on a handful of addresses,
                // some served from up to four of them at once.
                let copies = if rng.chance(0.15) { 4 } else { 1 };
                let base = rng.range(1, 24);
                (0..copies)
                    .map(|k| {
                        let address = format!("{}.{}.{}", provider.prefix, base, 10 + k);
                        let count = provider.isp_count / (20 + base * 7);
                        ip_entry(provider, &address, count)
                    })
                    .collect()
            }
        };
        Value::Array(entries)
    }
}

fn ip_entry(provider: &Provider, address: &str, count: u64) -> Value {
    json!({
        "address": {"value": address, "count": count},
        "asn": [{"value": provider.asn, "count": provider.asn_count}],
        "country_code": {"value": provider.country, "count": provider.country_count},
        "isp": {"value": provider.isp, "count": provider.isp_count},
    })
}

fn name_servers(rng: &mut SplitMix64, actor: &Actor) -> Value {
    // A dedicated server pair has addresses of its own. A commodity provider spreads its
    // customers over four pairs, with addresses that only that provider uses.
    let (domain, count, ip_count, subnet) = match &actor.name_server {
        Some((domain, count)) => (domain.clone(), *count, *count, 0),
        None => {
            let (domain, count) = NS_PROVIDERS[actor.ns_provider];
            (domain.to_string(), count, count / 3, actor.ns_provider + 1)
        }
    };
    let pair = if subnet == 0 { 0 } else { rng.below(4) };
    let servers: Vec<Value> = (1..=2)
        .map(|k| {
            let address = if subnet == 0 {
                format!("{}.{k}", actor.network)
            } else {
                format!("156.154.{}.{}", 100 + subnet, 10 * pair + k)
            };
            json!({
                "host": {"value": format!("ns{}.{domain}", pair * 2 + k), "count": count / 2 + 1},
                "domain": {"value": domain, "count": count},
                "ip": [{"value": address, "count": ip_count}],
            })
        })
        .collect();
    Value::Array(servers)
}

fn mx_list(rng: &mut SplitMix64, actor: &Actor) -> Value {
    let Some(mail) = &actor.mail else {
        return json!([]);
    };
    let (mail_domain, count, subnet) = match mail {
        Some(own) => (own.clone(), rng.range(2, 80), 0),
        None => {
            let (provider, count) = MAIL_PROVIDERS[actor.mail_provider];
            (provider.to_string(), count, actor.mail_provider + 1)
        }
    };
    let hosts = rng.range(1, 3);
    let entries: Vec<Value> = (1..=hosts)
        .map(|k| {
            let address = if subnet == 0 {
                format!("{}.{}", actor.network, 10 + k)
            } else {
                format!("162.255.{}.{}", 100 + subnet, 50 + k)
            };
            json!({
                "host": {"value": format!("mx{k}.{mail_domain}"), "count": count / 2 + 1},
                "domain": {"value": mail_domain, "count": count},
                "ip": [{"value": address, "count": count / 2 + 1}],
                "priority": 10 * k,
            })
        })
        .collect();
    Value::Array(entries)
}

fn ssl_list(rng: &mut SplitMix64, actor: &Actor, domain: &str) -> Value {
    match &actor.certificate {
        Some((hash, subject)) if rng.chance(0.85) => json!([{
            "hash": {"value": hash, "count": actor.size as u64 + rng.range(0, 5)},
            "subject": {"value": subject, "count": actor.size as u64 + rng.range(0, 5)},
            "organization": {"value": "", "count": 0},
            "email": [],
        }]),
        _ if rng.chance(0.3) => json!([{
            "hash": {"value": rng.hex(40), "count": 1},
            "subject": {"value": format!("CN={domain}"), "count": 1},
            "organization": {"value": "", "count": 0},
            "email": [],
        }]),
        _ if rng.chance(0.15) => json!([{
            "hash": {"value": rng.hex(40), "count": 1},
            "subject": {
                "value": "CN=sni.cloudflaressl.com,O=Cloudflare\\, Inc.,L=San Francisco,ST=CA,C=US",
                "count": 34_762_555
            },
            "organization": {"value": "Cloudflare, Inc.", "count": 37_684_344},
            "email": [],
        }]),
        _ => json!([]),
    }
}

fn domain_risk(rng: &mut SplitMix64, risk: f64) -> Value {
    let proximity = rng.range(0, 60);
    json!({
        "risk_score": risk as u64,
        "components": [
            {"name": "proximity", "risk_score": proximity},
            {
                "name": "threat_profile",
                "risk_score": risk as u64,
                "threats": ["phishing"],
                "evidence": ["domain name", "registration"],
            },
        ],
    })
}

fn contact(rng: &mut SplitMix64, persona: Option<&str>) -> Value {
    match persona {
        Some(name) => json!({
            "name": {"value": name, "count": rng.range(5, 60)},
            "org": {"value": "", "count": 0},
            "street": {"value": format!("{} Example Street", rng.range(1, 999)), "count": rng.range(5, 60)},
            "city": {"value": "Kharkiv", "count": 11_851},
            "state": {"value": "NA", "count": 1_628_753},
            "postal": {"value": format!("{}", rng.range(10_000, 99_999)), "count": 3_108},
            "country": {"value": "ua", "count": 1_363_830},
            "phone": {"value": format!("47726{}", rng.range(10_000, 99_999)), "count": rng.range(5, 60)},
            "fax": {"value": "", "count": 0},
            "email": [{"value": format!("user-{}@ukr.net", rng.hex(8)), "count": rng.range(5, 60)}],
        }),
        None => json!({
            "name": {"value": "Redacted for Privacy", "count": 40_114_902},
            "org": {"value": "Privacy service provided by Withheld for Privacy ehf", "count": 8_412_006},
            "street": {"value": "Kalkofnsvegur 2", "count": 8_400_112},
            "city": {"value": "Reykjavik", "count": 8_771_190},
            "state": {"value": "Capital Region", "count": 8_390_001},
            "postal": {"value": "101", "count": 8_401_774},
            "country": {"value": "is", "count": 8_950_332},
            "phone": {"value": "3544212434", "count": 8_399_015},
            "fax": {"value": "", "count": 0},
            "email": [],
        }),
    }
}

fn contact_blank() -> Value {
    let mut contact = Map::new();
    for key in [
        "name", "org", "street", "city", "state", "postal", "country", "phone", "fax",
    ] {
        contact.insert(key.into(), empty_value());
    }
    contact.insert("email".into(), json!([]));
    Value::Object(contact)
}

/// Iris's "no value": an empty string with count 0.
fn empty_value() -> Value {
    json!({"value": "", "count": 0})
}

fn maybe_value(value: Option<&str>, count: u64) -> Value {
    match value {
        Some(value) => json!({"value": value, "count": count}),
        None => empty_value(),
    }
}

/// `YYYY-MM-DD` for `day` days after 2019-01-01 (proleptic Gregorian calendar).
fn date_from_day(day: u64) -> String {
    let mut year = 2019;
    let mut day = day;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if day < length {
            break;
        }
        day -= length;
        year += 1;
    }
    let february = if is_leap(year) { 29 } else { 28 };
    let months = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while day >= months[month] {
        day -= months[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, day + 1)
}

fn is_leap(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iris::parse_export;

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(generate_json(300, 7), generate_json(300, 7));
        let whole = serde_json::to_vec(&generate(300, 7)).expect("serializable");
        assert_eq!(generate_json(300, 7), whole);
        assert_eq!(generate_json(0, 7), b"[]");
        assert_ne!(generate_json(300, 7), generate_json(300, 8));
    }

    #[test]
    fn generates_exact_count_of_unique_names() {
        for count in [0, 1, 2, 57, 1000] {
            let records = generate_records(count, 3);
            assert_eq!(records.len(), count);
            let names: HashSet<&str> = records
                .iter()
                .map(|r| r["domain"].as_str().expect("domain is text"))
                .collect();
            assert_eq!(names.len(), count);
        }
    }

    #[test]
    fn output_parses_without_problems() {
        let bytes = generate_json(2000, 11);
        let export = parse_export(&bytes).expect("synthetic export parses");
        assert_eq!(export.total_records, 2000);
        assert_eq!(export.records.len(), 2000);
        assert!(export.problems.is_empty(), "{:?}", export.problems.first());
    }

    #[test]
    fn mixes_active_inactive_and_missing_fields() {
        let records = generate_records(2000, 5);
        let inactive = records
            .iter()
            .filter(|r| r["active"] == json!(false))
            .count();
        let null_active = records.iter().filter(|r| r["active"].is_null()).count();
        let without_ip = records.iter().filter(|r| r.get("ip").is_none()).count();
        let empty_adsense = records
            .iter()
            .filter(|r| r["adsense"] == empty_value())
            .count();
        assert!(inactive > 200, "{inactive} inactive");
        assert!(null_active > 0);
        assert!(without_ip > 0);
        assert!(empty_adsense > 1000);
        let integer_asn = &records
            .iter()
            .find_map(|r| r["ip"].get(0))
            .expect("some record has an IP")["asn"][0]["value"];
        assert!(integer_asn.is_u64(), "{integer_asn}");
    }

    #[test]
    fn dates_are_calendar_dates() {
        assert_eq!(date_from_day(0), "2019-01-01");
        assert_eq!(date_from_day(31 + 28), "2019-03-01");
        assert_eq!(date_from_day(365 + 31 + 28), "2020-02-29");
        assert_eq!(date_from_day(365 + 366), "2021-01-01");
    }

    #[test]
    fn zipf_prefers_low_ranks() {
        let mut rng = SplitMix64(1);
        let mut counts = [0usize; 10];
        for _ in 0..10_000 {
            counts[rng.zipf(10)] += 1;
        }
        assert!(counts[0] > counts[1]);
        assert!(counts[1] > counts[9]);
        // Rank 0 of 10 has probability 1 / H(10) ≈ 0.34.
        assert!((3000..3800).contains(&counts[0]), "{counts:?}");
    }
}
