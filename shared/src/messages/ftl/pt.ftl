## The username policy (docs/policy.md)

empty = Insira um nome de usuário.
too_long = O nome de usuário pode ter no máximo { $max ->
        [one] { $max } caractere
       *[other] { $max } caracteres
    }.
too_short = O nome de usuário deve ter pelo menos { $min ->
        [one] { $min } caractere
       *[other] { $min } caracteres
    }.
control_character = O nome de usuário não pode conter caracteres de controle, como tabulações ou quebras de linha.
bidi_control = O nome de usuário não pode conter caracteres de controle da direção do texto.
whitespace = O nome de usuário não pode conter espaços.
invisible_character = O nome de usuário não pode conter caracteres invisíveis.
format_character = O nome de usuário não pode conter caracteres de formatação.
private_use_character = O nome de usuário não pode conter caracteres de uso privado.
noncharacter = O nome de usuário não pode conter não caracteres do Unicode.
unassigned_character = O nome de usuário não pode conter caracteres não atribuídos no Unicode.
not_display_form = Escreva assim: “{ $display }”.
compatibility_character = O nome de usuário não pode conter caracteres estilizados, como ligaduras, sobrescritos, letras circuladas ou matemáticas.
disallowed_character = O nome de usuário só pode conter letras e dígitos, separados ou não por . _ -.
bidi_rule = Um nome de usuário escrito da direita para a esquerda deve começar com uma letra escrita da direita para a esquerda, terminar com uma letra ou um dígito e não pode conter letras escritas da esquerda para a direita.
separator_at_edge = O nome de usuário não pode começar nem terminar com . _ ou -.
consecutive_separators = O nome de usuário não pode ter dois dos caracteres . _ - seguidos.
no_letter = O nome de usuário deve ter pelo menos uma letra.
misplaced_combining_mark = Os acentos devem vir depois de uma letra.
too_many_combining_marks = Uma letra pode ter no máximo { $max ->
        [one] { $max } acento
       *[other] { $max } acentos
    }.
repeated_combining_mark = Uma letra não pode ter o mesmo acento duas vezes.
mixed_scripts = O nome de usuário não pode misturar letras de sistemas de escrita diferentes.
mixed_digits = Todos os dígitos do nome de usuário devem ser do mesmo sistema de numeração.
whole_script_confusable = Este nome de usuário parece um nome escrito em outro alfabeto.
looks_like_email = O nome de usuário não pode parecer um endereço de e-mail.
looks_like_url = O nome de usuário não pode parecer um endereço web.
looks_like_domain = O nome de usuário não pode parecer um nome de domínio.
looks_like_punycode = O nome de usuário não pode conter um rótulo de domínio codificado (xn--).
looks_like_phone_number = O nome de usuário não pode parecer um número de telefone ou de identificação.
reserved = Este nome de usuário está reservado.
inappropriate = Este nome de usuário não é permitido.
unstable_normalization = Este nome de usuário não pode ser usado.

## Sign-up and the registry

name_taken = Este nome de usuário já está em uso.
name_required = Escolha um nome de usuário.
registry_timeout = O registro de nomes de usuário não respondeu a tempo. Tente novamente.
registry_unavailable = Não foi possível acessar o registro de nomes de usuário no momento. Tente novamente.
registry_corrupt = Não foi possível ler o registro de nomes de usuário no momento. Tente novamente.

## The HTTP API (docs/api.md)

bad_request = Envie um corpo JSON como {"{"}"username": "new_name"{"}"}.
bad_name_encoding = O nome no caminho deve estar em UTF-8 com codificação percentual.
body_too_large = O corpo da solicitação é grande demais: envie {"{"}"username": "new_name"{"}"}.
unauthorized = Faça login primeiro: envie o seu token de acesso ou token de ID como `Authorization: Bearer <token>`.
name_immutable = O nome de usuário é usado para fazer login, por isso não pode ser alterado nem liberado.
rename_cooldown = O seu nome de usuário foi alterado recentemente. Será possível alterá-lo de novo daqui a { $unit ->
        [day] { $count ->
            [one] { $count } dia
           *[other] { $count } dias
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
not_found = Não há nada aqui: veja as rotas da API em /v1/.
method_not_allowed = Esta rota não aceita este método; aceita apenas { $allow }.
