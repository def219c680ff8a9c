//! PostConfirmation: commit the reservation. OWNER: handlers helper (H). Provisional stub.
