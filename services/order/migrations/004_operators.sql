-- Operators of the admin portal beyond the configured one (ADMIN_USERNAME, always an admin), with
-- their role (viewer < operator < admin) and a scrypt password hash. Kept in the first order
-- database (the one the order service's sign-in reads); a disabled operator cannot sign in.
CREATE TABLE operators (
    username      text PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL
);
