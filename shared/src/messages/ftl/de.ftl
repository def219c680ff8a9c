## The username policy (docs/policy.md)

empty = Bitte einen Benutzernamen eingeben.
too_long = Benutzernamen dürfen höchstens { $max ->
        [one] { $max } Zeichen
       *[other] { $max } Zeichen
    } lang sein.
too_short = Benutzernamen müssen mindestens { $min ->
        [one] { $min } Zeichen
       *[other] { $min } Zeichen
    } lang sein.
control_character = Benutzernamen dürfen keine Steuerzeichen wie Tabulatoren oder Zeilenumbrüche enthalten.
bidi_control = Benutzernamen dürfen keine Steuerzeichen für die Textrichtung enthalten.
whitespace = Benutzernamen dürfen keine Leerzeichen enthalten.
invisible_character = Benutzernamen dürfen keine unsichtbaren Zeichen enthalten.
format_character = Benutzernamen dürfen keine Formatierungszeichen enthalten.
private_use_character = Benutzernamen dürfen keine Zeichen aus dem Bereich für private Nutzung enthalten.
noncharacter = Benutzernamen dürfen keine Unicode-Nichtzeichen enthalten.
unassigned_character = Benutzernamen dürfen keine nicht zugewiesenen Unicode-Zeichen enthalten.
not_display_form = Bitte so schreiben: „{ $display }“.
compatibility_character = Benutzernamen dürfen keine stilisierten Zeichen wie Ligaturen, hochgestellte Zeichen, eingekreiste oder mathematische Buchstaben enthalten.
disallowed_character = Benutzernamen dürfen nur Buchstaben und Ziffern enthalten, dazwischen auch . _ -.
bidi_rule = Ein Benutzername in Rechts-nach-links-Schrift muss mit einem Rechts-nach-links-Buchstaben beginnen, mit einem Buchstaben oder einer Ziffer enden und darf keine Links-nach-rechts-Buchstaben enthalten.
separator_at_edge = Benutzernamen dürfen nicht mit . _ oder - beginnen oder enden.
consecutive_separators = In Benutzernamen dürfen keine zwei der Zeichen . _ - direkt aufeinanderfolgen.
no_letter = Benutzernamen müssen mindestens einen Buchstaben enthalten.
misplaced_combining_mark = Akzentzeichen müssen auf einen Buchstaben folgen.
too_many_combining_marks = Ein Buchstabe darf höchstens { $max ->
        [one] { $max } Akzentzeichen
       *[other] { $max } Akzentzeichen
    } tragen.
repeated_combining_mark = Ein Buchstabe darf dasselbe Akzentzeichen nicht zweimal tragen.
mixed_scripts = Benutzernamen dürfen keine Buchstaben aus verschiedenen Schriftsystemen mischen.
mixed_digits = Alle Ziffern eines Benutzernamens müssen aus demselben Zahlensystem stammen.
whole_script_confusable = Dieser Benutzername sieht aus wie ein Name in einem anderen Alphabet.
looks_like_email = Benutzernamen dürfen nicht wie eine E-Mail-Adresse aussehen.
looks_like_url = Benutzernamen dürfen nicht wie eine Webadresse aussehen.
looks_like_domain = Benutzernamen dürfen nicht wie ein Domainname aussehen.
looks_like_punycode = Benutzernamen dürfen kein codiertes Domain-Label (xn--) enthalten.
looks_like_phone_number = Benutzernamen dürfen nicht wie eine Telefon- oder ID-Nummer aussehen.
reserved = Dieser Benutzername ist reserviert.
inappropriate = Dieser Benutzername ist nicht erlaubt.
unstable_normalization = Dieser Benutzername kann nicht verwendet werden.

## Sign-up and the registry

name_taken = Dieser Benutzername ist bereits vergeben.
name_required = Bitte einen Benutzernamen wählen.
registry_timeout = Das Benutzernamen-Verzeichnis hat nicht rechtzeitig geantwortet. Bitte erneut versuchen.
registry_unavailable = Das Benutzernamen-Verzeichnis ist gerade nicht erreichbar. Bitte erneut versuchen.
registry_corrupt = Das Benutzernamen-Verzeichnis kann gerade nicht gelesen werden. Bitte erneut versuchen.

## The HTTP API (docs/api.md)

bad_request = Bitte einen JSON-Body wie {"{"}"username": "new_name"{"}"} senden.
bad_name_encoding = Der Name im Pfad muss prozentcodiertes UTF-8 sein.
body_too_large = Der Request-Body ist zu groß: Bitte nur {"{"}"username": "new_name"{"}"} senden.
unauthorized = Bitte zuerst anmelden: Access- oder ID-Token als `Authorization: Bearer <token>` senden.
name_immutable = Der Benutzername dient zur Anmeldung und kann daher weder geändert noch aufgegeben werden.
rename_cooldown = Der Benutzername wurde vor Kurzem geändert. Eine erneute Änderung ist in { $unit ->
        [day] { $count ->
            [one] { $count } Tag
           *[other] { $count } Tagen
        }
        [hour] { $count ->
            [one] { $count } Stunde
           *[other] { $count } Stunden
        }
        [minute] { $count ->
            [one] { $count } Minute
           *[other] { $count } Minuten
        }
       *[second] { $count ->
            [one] { $count } Sekunde
           *[other] { $count } Sekunden
        }
    } möglich.
not_found = Hier gibt es nichts: Die Routen der API liegen unter /v1/.
method_not_allowed = Diese Route unterstützt diese Methode nicht, nur { $allow }.
