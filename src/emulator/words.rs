//! Word lists the seeded world draws names, handles, bios, places and posts from,
//! and the hostile strings `--hostile` mixes in.

/// Given names.
pub const FIRST: &[&str] = &[
    "Maria", "James", "Aiko", "Liam", "Sofia", "Noah", "Chen", "Fatima", "Lucas", "Priya", "Olga",
    "Mateo", "Emma", "Kwame", "Yuki", "Hannah", "Omar", "Ines", "David", "Zoe", "Ravi", "Elena",
    "Tom", "Amara", "Jonas", "Mei", "Carlos", "Nina", "Ahmed", "Lea", "Sam", "Freya", "Diego",
    "Anya", "Ben", "Layla", "Marco", "Sara", "Kenji", "Alice", "Pavel", "Grace", "Luca", "Nadia",
    "Felix", "Ivy", "Hugo", "Maya", "Erik", "Chloe",
];

/// Family names.
pub const LAST: &[&str] = &[
    "Garcia", "Smith", "Tanaka", "Murphy", "Rossi", "Kim", "Nguyen", "Okafor", "Silva", "Patel",
    "Ivanova", "Lopez", "Martin", "Mensah", "Sato", "Weber", "Hassan", "Costa", "Cohen", "Novak",
    "Sharma", "Petrov", "Brown", "Diallo", "Berg", "Wang", "Ruiz", "Kowalski", "Ali", "Dubois",
    "Lee", "Larsen", "Moreno", "Volkova", "Clark", "Haddad", "Bianchi", "Moller", "Ito", "Evans",
];

/// Words for handles and brand-like names.
pub const WORDS: &[&str] = &[
    "pixel", "river", "coffee", "night", "solar", "quiet", "retro", "urban", "wild", "lunar",
    "data", "crypto", "daily", "green", "vinyl", "cloud", "north", "tiny", "atlas", "echo",
    "maple", "neon", "ocean", "paper", "rust", "storm", "tech", "vibe", "wolf", "zen",
];

/// Bio fragments.
pub const BIO: &[&str] = &[
    "Coffee first.",
    "Views my own.",
    "Dad of two, runner, occasional baker.",
    "Building things on the internet.",
    "PhD candidate in marine biology 🌊",
    "Product designer. Previously at a startup you never heard of.",
    "Opinions are cached, not stored.",
    "Posting about #rustlang and #opensource",
    "Crypto maximalist. DMs open for collabs 🚀",
    "Just here for the memes.",
    "Journalist covering tech & policy.",
    "she/her · plant mom · 🌱",
    "Follow for daily deals!!!",
    "Musician. New EP out now 🎧",
    "Retired teacher, gardening and grandkids.",
    "Official account.",
    "Engineer @ somewhere. Tweets about distributed systems.",
    "Not a bot. Probably.",
    "Photographer 📷 based in the mountains",
    "Football, films, and bad puns.",
];

/// Free-text locations.
pub const PLACES: &[&str] = &[
    "Berlin, Germany",
    "São Paulo",
    "Tokyo",
    "London, UK",
    "Lagos, Nigeria",
    "San Francisco, CA",
    "Paris",
    "Mumbai, India",
    "Toronto",
    "Melbourne, Australia",
    "Mexico City",
    "Seoul",
    "the internet",
    "Earth 🌍",
    "NYC",
    "Stockholm",
];

/// Post fragments.
pub const POST: &[&str] = &[
    "Big news coming soon, stay tuned!",
    "Hot take: tabs are better than spaces.",
    "Just shipped a new release 🎉",
    "Thread 🧵 on why this matters:",
    "Good morning everyone ☀️",
    "Can't believe this is real.",
    "New blog post is up, link in bio.",
    "Reminder to drink water.",
    "This is the way. #motivation",
    "Please read and share.",
];

/// Country codes for withheld accounts.
pub const COUNTRIES: &[&str] = &["DE", "FR", "TR", "IN", "RU"];

/// Hostile strings: terminal escapes, controls, bidi, ZWJ emoji, CJK, combining marks.
pub const HOSTILE: &[&str] = &[
    "\u{1b}[2J\u{1b}[Hcleared your screen",
    "\u{1b}]0;pwned title\u{7}",
    "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}clipboard",
    "\u{1b}[31mred\u{1b}[0m \u{1b}[5mblink\u{1b}[0m",
    "bell\u{7}\u{8}\u{8}back\u{0}nul",
    "c1\u{85}next\u{9b}31mcsi\u{9d}osc",
    "\u{202e}gnp.exe\u{202c} file",
    "abc\u{2067}rtl isolate\u{2069}\u{200f}",
    "👨\u{200d}👩\u{200d}👧\u{200d}👦 family",
    "🏳\u{fe0f}\u{200d}🌈 flag",
    "zero\u{200b}width\u{200d}joiner\u{2060}",
    "東京都渋谷区のラーメン大好き",
    "한국어 이름",
    "Z\u{0351}\u{036b}\u{0343}\u{036a}\u{0302}a\u{0311}\u{0300}l\u{0310}\u{0304}g\u{0307}o\u{0301}",
    "\u{feff}bom\u{fffd}replacement",
    "line one\nline two\r\nline three\ttabbed",
    "مرحبا بالعالم",
    "e\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}\u{301}",
];
