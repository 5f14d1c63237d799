"""Partner organisations: tracking links, attribution, managers, invitations. No Flask here."""
