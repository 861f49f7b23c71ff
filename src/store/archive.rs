//! X's "Download your data" archive (`.zip`): the one member an import reads, `data/block.js`,
//! read with a size cap so a hostile archive cannot exhaust memory.

use std::io::{Cursor, Read};

/// Largest `block.js` read (a million blocks are about 150 MB).
pub const MAX_MEMBER_BYTES: u64 = 512 * 1024 * 1024;

/// The bytes of `data/block.js` in the archive `zip` (the archive may nest it in one folder).
pub fn block_js(zip: &[u8]) -> Result<Vec<u8>, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))
        .map_err(|e| format!("not a readable X archive (.zip): {e}"))?;
    let name = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i).map(str::to_string))
        .find(|n| n == "data/block.js" || n.ends_with("/data/block.js"))
        .ok_or("the archive has no data/block.js (for mutes, pass data/mute.js itself)")?;
    let member = archive
        .by_name(&name)
        .map_err(|e| format!("cannot read {name} in the archive: {e}"))?;
    if member.size() > MAX_MEMBER_BYTES {
        return Err(format!(
            "{name} in the archive is larger than {} MB",
            MAX_MEMBER_BYTES >> 20
        ));
    }
    let mut out = Vec::with_capacity(member.size().min(1 << 20) as usize);
    member
        .take(MAX_MEMBER_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("cannot read {name} in the archive: {e}"))?;
    if out.len() as u64 > MAX_MEMBER_BYTES {
        return Err(format!(
            "{name} in the archive is larger than {} MB",
            MAX_MEMBER_BYTES >> 20
        ));
    }
    Ok(out)
}
