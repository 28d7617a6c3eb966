//! The reference sender: delivers one event exactly as Cr3dentials does (SPEC §2).
