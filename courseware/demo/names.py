"""Word lists for demonstration data: plausible French names and partners.

Only used by `courseware demo seed`; every e-mail address it makes is under
example.org (reserved by RFC 2606), so no demo mail can reach a real person.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura", "Marie",
    "Lucie", "Anaïs", "Clara", "Pauline", "Élodie", "Nadia", "Fatou", "Aïcha", "Sophie", "Hélène",
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Alexandre", "Mehdi",
    "Karim", "Yanis", "Théo", "Louis", "Pierre", "Mathieu", "Olivier", "François", "Éric",
    "Sébastien", "Mamadou", "Jean", "Paul", "Noé", "Gabriel", "Arthur", "Rose", "Zoé", "Jade",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Diallo",
    "Nguyen", "Benali", "Traoré", "Haddad", "Lopez",
)
# (kind of partner, populations its links target). Names are "<kind> <place>".
PARTNER_KINDS = (
    ("Mairie de", ("agents", "élus", "habitants")),
    ("Université de", ("étudiants", "personnels", "enseignants")),
    ("Préfecture de", ("agents", "encadrement")),
    ("Centre hospitalier de", ("soignants", "administration")),
    ("Chambre de commerce de", ("entreprises", "apprentis")),
    ("Médiathèque de", ("public", "bénévoles")),
    ("Groupement de gendarmerie de", ("officiers", "sous-officiers", "réservistes")),
    ("Agence France Travail de", ("demandeurs d’emploi", "conseillers")),
    ("Lycée professionnel de", ("élèves", "enseignants")),
    ("Conseil départemental de", ("agents", "collèges", "partenaires")),
)
PLACES = (
    "Lyon", "Lille", "Nantes", "Rennes", "Bordeaux", "Toulouse", "Marseille", "Strasbourg",
    "Grenoble", "Dijon", "Brest", "Limoges", "Nancy", "Metz", "Rouen", "Caen", "Amiens", "Reims",
    "Tours", "Poitiers", "Orléans", "Besançon", "Clermont-Ferrand", "Montpellier", "Nîmes",
    "Perpignan", "Pau", "Bayonne", "Angers", "Le Mans", "Saint-Étienne", "Avignon", "Toulon",
    "Ajaccio", "Cayenne", "Fort-de-France", "Pointe-à-Pitre", "Saint-Denis", "Mamoudzou", "Nouméa",
)

_ASCII = str.maketrans("àâäéèêëîïôöùûüçœæÀÂÄÉÈÊËÎÏÔÖÙÛÜÇ’' ", "aaaeeeeiioouuucoeAAAEEEEIIOOUUUC---")


def ascii_slug(text: str) -> str:
    """"Saint-Étienne" -> "saint-etienne": for slugs and e-mail local parts."""
    slug = text.translate(_ASCII).lower()
    slug = "".join(c if c.isalnum() or c == "-" else "-" for c in slug)
    while "--" in slug:
        slug = slug.replace("--", "-")
    return slug.strip("-")
