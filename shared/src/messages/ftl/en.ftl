# The sentences users see, in English: one message per stable code (docs/api.md#errors). Every
# other language has the same messages with the same variables. A sentence ends with a full stop;
# the code is appended by the code, never written here.

## The username policy (docs/policy.md)

empty = Enter a username.
too_long = Usernames can be at most { $max } characters long.
too_short = Usernames must be at least { $min } characters long.
control_character = Usernames can't contain control characters such as tabs or line breaks.
bidi_control = Usernames can't contain text-direction control characters.
whitespace = Usernames can't contain spaces.
invisible_character = Usernames can't contain invisible characters.
format_character = Usernames can't contain formatting characters.
private_use_character = Usernames can't contain private-use characters.
noncharacter = Usernames can't contain Unicode noncharacters.
unassigned_character = Usernames can't contain unassigned Unicode characters.
# $display: the name as it must be written, which passes every rule.
not_display_form = Write it as "{ $display }".
compatibility_character = Usernames can't contain stylised characters such as ligatures, superscripts, circled or mathematical letters.
disallowed_character = Usernames can only contain letters, digits and . _ - between them.
bidi_rule = A right-to-left username must start with a right-to-left letter, end with a letter or digit, and can't mix in left-to-right letters.
separator_at_edge = Usernames can't start or end with . _ or -.
consecutive_separators = Usernames can't have two of . _ - in a row.
no_letter = Usernames need at least one letter.
misplaced_combining_mark = Accent marks must follow a letter.
too_many_combining_marks = A letter can carry at most { $max } accent marks.
repeated_combining_mark = A letter can't carry the same accent mark twice.
mixed_scripts = Usernames can't mix letters from different writing systems.
mixed_digits = Usernames must use digits from one numbering system.
whole_script_confusable = That username looks like a name written in another alphabet.
looks_like_email = Usernames can't look like an email address.
looks_like_url = Usernames can't look like a web address.
looks_like_domain = Usernames can't look like a domain name.
looks_like_punycode = Usernames can't contain an encoded domain label (xn--).
looks_like_phone_number = Usernames can't look like a phone number or an ID number.
reserved = That username is reserved.
inappropriate = That username isn't allowed.
unstable_normalization = That username can't be used.

## Sign-up and the registry

name_taken = That username is already taken.
name_required = Choose a username.
registry_timeout = We couldn't reach the username registry in time. Please try again.
registry_unavailable = We couldn't reach the username registry right now. Please try again.
registry_corrupt = We couldn't read the username registry right now. Please try again.

## The HTTP API (docs/api.md)

bad_request = Send a JSON body like {"{"}"username": "new_name"{"}"}.
bad_name_encoding = The name in the path must be percent-encoded UTF-8.
body_too_large = The request body is too large: send {"{"}"username": "new_name"{"}"}.
unauthorized = Sign in first: send your access or ID token as `Authorization: Bearer <token>`.
name_immutable = Your username is the name you sign in with, so it can't be changed or given up.
# $count and $unit (day, hour, minute or second): how long until the user may rename again.
rename_cooldown = You changed your username recently. You can change it again in { $unit ->
        [day] { $count ->
            [one] { $count } day
           *[other] { $count } days
        }
        [hour] { $count ->
            [one] { $count } hour
           *[other] { $count } hours
        }
        [minute] { $count ->
            [one] { $count } minute
           *[other] { $count } minutes
        }
       *[second] { $count ->
            [one] { $count } second
           *[other] { $count } seconds
        }
    }.
not_found = There is nothing here: see the API's routes under /v1/.
# $allow: the methods the route takes, such as "PUT, DELETE".
method_not_allowed = This route does not take that method; it takes { $allow }.
