## The username policy (docs/policy.md)

empty = Escribe un nombre de usuario.
too_long = El nombre de usuario puede tener como máximo { $max ->
        [one] { $max } carácter
       *[other] { $max } caracteres
    }.
too_short = El nombre de usuario debe tener al menos { $min ->
        [one] { $min } carácter
       *[other] { $min } caracteres
    }.
control_character = El nombre de usuario no puede contener caracteres de control, como tabulaciones o saltos de línea.
bidi_control = El nombre de usuario no puede contener caracteres de control de la dirección del texto.
whitespace = El nombre de usuario no puede contener espacios.
invisible_character = El nombre de usuario no puede contener caracteres invisibles.
format_character = El nombre de usuario no puede contener caracteres de formato.
private_use_character = El nombre de usuario no puede contener caracteres de uso privado.
noncharacter = El nombre de usuario no puede contener no-caracteres de Unicode.
unassigned_character = El nombre de usuario no puede contener caracteres no asignados en Unicode.
not_display_form = Escríbelo así: «{ $display }».
compatibility_character = El nombre de usuario no puede contener caracteres estilizados, como ligaduras, superíndices, letras en círculo o letras matemáticas.
disallowed_character = El nombre de usuario solo puede contener letras y dígitos, separados opcionalmente por . _ -.
bidi_rule = Un nombre de usuario escrito de derecha a izquierda debe empezar por una letra que se escriba de derecha a izquierda, terminar en una letra o un dígito y no puede incluir letras que se escriban de izquierda a derecha.
separator_at_edge = El nombre de usuario no puede empezar ni terminar con . _ o -.
consecutive_separators = El nombre de usuario no puede tener dos de los caracteres . _ - seguidos.
no_letter = El nombre de usuario debe tener al menos una letra.
misplaced_combining_mark = Los acentos deben ir después de una letra.
too_many_combining_marks = Una letra puede llevar como máximo { $max ->
        [one] { $max } acento
       *[other] { $max } acentos
    }.
repeated_combining_mark = Una letra no puede llevar el mismo acento dos veces.
mixed_scripts = El nombre de usuario no puede mezclar letras de distintos sistemas de escritura.
mixed_digits = Todos los dígitos del nombre de usuario deben ser del mismo sistema de numeración.
whole_script_confusable = Este nombre de usuario parece un nombre escrito en otro alfabeto.
looks_like_email = El nombre de usuario no puede parecer una dirección de correo electrónico.
looks_like_url = El nombre de usuario no puede parecer una dirección web.
looks_like_domain = El nombre de usuario no puede parecer un nombre de dominio.
looks_like_punycode = El nombre de usuario no puede contener una etiqueta de dominio codificada (xn--).
looks_like_phone_number = El nombre de usuario no puede parecer un número de teléfono o de identificación.
reserved = Este nombre de usuario está reservado.
inappropriate = Este nombre de usuario no está permitido.
unstable_normalization = Este nombre de usuario no se puede usar.

## Sign-up and the registry

name_taken = Este nombre de usuario ya está en uso.
name_required = Elige un nombre de usuario.
registry_timeout = El registro de nombres de usuario no respondió a tiempo. Inténtalo de nuevo.
registry_unavailable = No se pudo conectar con el registro de nombres de usuario en este momento. Inténtalo de nuevo.
registry_corrupt = No se pudo leer el registro de nombres de usuario en este momento. Inténtalo de nuevo.

## The HTTP API (docs/api.md)

bad_request = Envía un cuerpo JSON como {"{"}"username": "new_name"{"}"}.
bad_name_encoding = El nombre en la ruta de la URL debe estar en UTF-8 con codificación por porcentaje.
body_too_large = El cuerpo de la solicitud es demasiado grande: envía {"{"}"username": "new_name"{"}"}.
unauthorized = Inicia sesión primero: envía tu token de acceso o tu token de ID como `Authorization: Bearer <token>`.
name_immutable = Tu nombre de usuario es el que usas para iniciar sesión, así que no se puede cambiar ni liberar.
rename_cooldown = Cambiaste tu nombre de usuario hace poco. Podrás volver a cambiarlo dentro de { $unit ->
        [day] { $count ->
            [one] { $count } día
           *[other] { $count } días
        }
        [hour] { $count ->
            [one] { $count } hora
           *[other] { $count } horas
        }
        [minute] { $count ->
            [one] { $count } minuto
           *[other] { $count } minutos
        }
       *[second] { $count ->
            [one] { $count } segundo
           *[other] { $count } segundos
        }
    }.
not_found = Aquí no hay nada: consulta las rutas de la API en /v1/.
method_not_allowed = Esta ruta no admite ese método; solo admite { $allow }.
