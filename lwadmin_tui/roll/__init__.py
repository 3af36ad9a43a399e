"""Rolling keys: a new key with the old one's access, its secret delivered once, the old key
revoked only once that secret is safely stored (or later, when the admin says)."""
