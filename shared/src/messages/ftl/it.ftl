## The username policy (docs/policy.md)

empty = Inserisci un nome utente.
too_long = Il nome utente può contenere al massimo { $max ->
        [one] { $max } carattere
       *[other] { $max } caratteri
    }.
too_short = Il nome utente deve contenere almeno { $min ->
        [one] { $min } carattere
       *[other] { $min } caratteri
    }.
control_character = Il nome utente non può contenere caratteri di controllo, come tabulazioni o interruzioni di riga.
bidi_control = Il nome utente non può contenere caratteri di controllo della direzione del testo.
whitespace = Il nome utente non può contenere spazi.
invisible_character = Il nome utente non può contenere caratteri invisibili.
format_character = Il nome utente non può contenere caratteri di formattazione.
private_use_character = Il nome utente non può contenere caratteri per uso privato.
noncharacter = Il nome utente non può contenere non-caratteri Unicode.
unassigned_character = Il nome utente non può contenere caratteri non assegnati in Unicode.
not_display_form = Scrivilo così: «{ $display }».
compatibility_character = Il nome utente non può contenere caratteri stilizzati, come legature, apici, lettere cerchiate o matematiche.
disallowed_character = Il nome utente può contenere solo lettere e cifre, eventualmente separate da . _ -.
bidi_rule = Un nome utente scritto da destra a sinistra deve iniziare con una lettera che si scrive da destra a sinistra, terminare con una lettera o una cifra e non può contenere lettere che si scrivono da sinistra a destra.
separator_at_edge = Il nome utente non può iniziare né terminare con . _ o -.
consecutive_separators = Il nome utente non può contenere due dei caratteri . _ - di seguito.
no_letter = Il nome utente deve contenere almeno una lettera.
misplaced_combining_mark = Gli accenti devono seguire una lettera.
too_many_combining_marks = Una lettera può avere al massimo { $max ->
        [one] { $max } accento
       *[other] { $max } accenti
    }.
repeated_combining_mark = Una lettera non può avere lo stesso accento due volte.
mixed_scripts = Il nome utente non può mescolare lettere di sistemi di scrittura diversi.
mixed_digits = Tutte le cifre del nome utente devono appartenere allo stesso sistema numerico.
whole_script_confusable = Questo nome utente sembra un nome scritto in un altro alfabeto.
looks_like_email = Il nome utente non può sembrare un indirizzo email.
looks_like_url = Il nome utente non può sembrare un indirizzo web.
looks_like_domain = Il nome utente non può sembrare un nome di dominio.
looks_like_punycode = Il nome utente non può contenere un’etichetta di dominio codificata (xn--).
looks_like_phone_number = Il nome utente non può sembrare un numero di telefono o un numero identificativo.
reserved = Questo nome utente è riservato.
inappropriate = Questo nome utente non è consentito.
unstable_normalization = Questo nome utente non può essere usato.

## Sign-up and the registry

name_taken = Questo nome utente è già in uso.
name_required = Scegli un nome utente.
registry_timeout = Il registro dei nomi utente non ha risposto in tempo. Riprova.
registry_unavailable = Al momento non è possibile raggiungere il registro dei nomi utente. Riprova.
registry_corrupt = Al momento non è possibile leggere il registro dei nomi utente. Riprova.

## The HTTP API (docs/api.md)

bad_request = Invia un corpo JSON come {"{"}"username": "new_name"{"}"}.
bad_name_encoding = Il nome nel percorso deve essere in UTF-8 con codifica percentuale.
body_too_large = Il corpo della richiesta è troppo grande: invia {"{"}"username": "new_name"{"}"}.
unauthorized = Prima accedi: invia il token di accesso o il token ID come `Authorization: Bearer <token>`.
name_immutable = Il nome utente è quello con cui accedi, quindi non puoi cambiarlo né rinunciarvi.
rename_cooldown = Hai cambiato il nome utente di recente. Potrai cambiarlo di nuovo tra { $unit ->
        [day] { $count ->
            [one] { $count } giorno
           *[other] { $count } giorni
        }
        [hour] { $count ->
            [one] { $count } ora
           *[other] { $count } ore
        }
        [minute] { $count ->
            [one] { $count } minuto
           *[other] { $count } minuti
        }
       *[second] { $count ->
            [one] { $count } secondo
           *[other] { $count } secondi
        }
    }.
not_found = Qui non c’è niente: consulta le route dell’API in /v1/.
method_not_allowed = Questa route non accetta questo metodo; accetta solo { $allow }.
