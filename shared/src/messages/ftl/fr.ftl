## The username policy (docs/policy.md)

empty = Saisissez un nom d’utilisateur.
too_long = Le nom d’utilisateur ne doit pas dépasser { $max ->
        [one] { $max } caractère
       *[other] { $max } caractères
    }.
too_short = Le nom d’utilisateur doit comporter au moins { $min ->
        [one] { $min } caractère
       *[other] { $min } caractères
    }.
control_character = Le nom d’utilisateur ne peut pas contenir de caractères de contrôle, comme des tabulations ou des sauts de ligne.
bidi_control = Le nom d’utilisateur ne peut pas contenir de caractères de contrôle du sens de l’écriture.
whitespace = Le nom d’utilisateur ne peut pas contenir d’espaces.
invisible_character = Le nom d’utilisateur ne peut pas contenir de caractères invisibles.
format_character = Le nom d’utilisateur ne peut pas contenir de caractères de mise en forme.
private_use_character = Le nom d’utilisateur ne peut pas contenir de caractères à usage privé.
noncharacter = Le nom d’utilisateur ne peut pas contenir de non-caractères Unicode.
unassigned_character = Le nom d’utilisateur ne peut pas contenir de caractères non attribués dans Unicode.
not_display_form = Saisissez-le sous la forme « { $display } ».
compatibility_character = Le nom d’utilisateur ne peut pas contenir de caractères stylisés, comme des ligatures, des exposants, des lettres cerclées ou mathématiques.
disallowed_character = Le nom d’utilisateur ne peut contenir que des lettres et des chiffres, éventuellement séparés par . _ -.
bidi_rule = Un nom d’utilisateur écrit de droite à gauche doit commencer par une lettre qui s’écrit de droite à gauche, se terminer par une lettre ou un chiffre, et ne peut pas contenir de lettres qui s’écrivent de gauche à droite.
separator_at_edge = Le nom d’utilisateur ne peut ni commencer ni se terminer par . _ ou -.
consecutive_separators = Le nom d’utilisateur ne peut pas contenir deux des caractères . _ - à la suite.
no_letter = Le nom d’utilisateur doit contenir au moins une lettre.
misplaced_combining_mark = Un accent doit toujours suivre une lettre.
too_many_combining_marks = Une lettre peut porter au plus { $max ->
        [one] { $max } accent
       *[other] { $max } accents
    }.
repeated_combining_mark = Une lettre ne peut pas porter deux fois le même accent.
mixed_scripts = Le nom d’utilisateur ne peut pas mélanger des lettres de systèmes d’écriture différents.
mixed_digits = Les chiffres du nom d’utilisateur doivent tous appartenir au même système de numération.
whole_script_confusable = Ce nom d’utilisateur ressemble à un nom écrit dans un autre alphabet.
looks_like_email = Le nom d’utilisateur ne peut pas ressembler à une adresse e-mail.
looks_like_url = Le nom d’utilisateur ne peut pas ressembler à une adresse web.
looks_like_domain = Le nom d’utilisateur ne peut pas ressembler à un nom de domaine.
looks_like_punycode = Le nom d’utilisateur ne peut pas contenir d’étiquette de domaine encodée (xn--).
looks_like_phone_number = Le nom d’utilisateur ne peut pas ressembler à un numéro de téléphone ou d’identification.
reserved = Ce nom d’utilisateur est réservé.
inappropriate = Ce nom d’utilisateur n’est pas autorisé.
unstable_normalization = Ce nom d’utilisateur ne peut pas être utilisé.

## Sign-up and the registry

name_taken = Ce nom d’utilisateur est déjà pris.
name_required = Choisissez un nom d’utilisateur.
registry_timeout = Le registre des noms d’utilisateur n’a pas répondu à temps. Veuillez réessayer.
registry_unavailable = Impossible de joindre le registre des noms d’utilisateur pour le moment. Veuillez réessayer.
registry_corrupt = Impossible de lire le registre des noms d’utilisateur pour le moment. Veuillez réessayer.

## The HTTP API (docs/api.md)

bad_request = Envoyez un corps JSON comme {"{"}"username": "new_name"{"}"}.
bad_name_encoding = Le nom dans le chemin doit être en UTF-8 avec encodage-pourcent.
body_too_large = Le corps de la requête est trop volumineux : envoyez {"{"}"username": "new_name"{"}"}.
unauthorized = Connectez-vous d’abord : envoyez votre jeton d’accès ou votre jeton d’ID sous la forme `Authorization: Bearer <token>`.
name_immutable = Votre nom d’utilisateur est celui avec lequel vous vous connectez : il ne peut donc être ni modifié ni abandonné.
rename_cooldown = Vous avez modifié votre nom d’utilisateur récemment. Vous pourrez le modifier à nouveau dans { $unit ->
        [day] { $count ->
            [one] { $count } jour
           *[other] { $count } jours
        }
        [hour] { $count ->
            [one] { $count } heure
           *[other] { $count } heures
        }
        [minute] { $count ->
            [one] { $count } minute
           *[other] { $count } minutes
        }
       *[second] { $count ->
            [one] { $count } seconde
           *[other] { $count } secondes
        }
    }.
not_found = Il n’y a rien ici : consultez les routes de l’API sous /v1/.
method_not_allowed = Cette route n’accepte pas cette méthode ; elle n’accepte que { $allow }.
