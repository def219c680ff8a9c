## The username policy (docs/policy.md)

empty = 사용자 이름을 입력하세요.
too_long = 사용자 이름은 최대 { $max }자까지 입력할 수 있습니다.
too_short = 사용자 이름은 { $min }자 이상이어야 합니다.
control_character = 사용자 이름에는 탭이나 줄바꿈 같은 제어 문자를 사용할 수 없습니다.
bidi_control = 사용자 이름에는 텍스트 방향 제어 문자를 사용할 수 없습니다.
whitespace = 사용자 이름에는 공백을 사용할 수 없습니다.
invisible_character = 사용자 이름에는 보이지 않는 문자를 사용할 수 없습니다.
format_character = 사용자 이름에는 서식 문자를 사용할 수 없습니다.
private_use_character = 사용자 이름에는 사용자 정의 영역의 문자를 사용할 수 없습니다.
noncharacter = 사용자 이름에는 유니코드 비문자를 사용할 수 없습니다.
unassigned_character = 사용자 이름에는 유니코드에서 할당되지 않은 문자를 사용할 수 없습니다.
not_display_form = “{ $display }” 형태로 입력하세요.
compatibility_character = 사용자 이름에는 합자, 위 첨자, 원문자, 수학용 문자 같은 장식 문자를 사용할 수 없습니다.
disallowed_character = 사용자 이름에는 글자와 숫자, 그리고 그 사이에 넣는 . _ - 기호만 사용할 수 있습니다.
bidi_rule = 오른쪽에서 왼쪽으로 쓰는 사용자 이름은 오른쪽에서 왼쪽으로 쓰는 글자로 시작하고 글자나 숫자로 끝나야 하며, 왼쪽에서 오른쪽으로 쓰는 글자를 섞어 쓸 수 없습니다.
separator_at_edge = 사용자 이름의 처음과 끝에는 . _ - 기호를 사용할 수 없습니다.
consecutive_separators = 사용자 이름에는 . _ - 기호를 두 개 연속으로 사용할 수 없습니다.
no_letter = 사용자 이름에는 글자가 하나 이상 있어야 합니다.
misplaced_combining_mark = 악센트 부호는 글자 바로 뒤에 와야 합니다.
too_many_combining_marks = 한 글자에는 악센트 부호를 최대 { $max }개까지 붙일 수 있습니다.
repeated_combining_mark = 한 글자에 같은 악센트 부호를 두 번 붙일 수 없습니다.
mixed_scripts = 사용자 이름에는 서로 다른 문자 체계의 글자를 섞어 쓸 수 없습니다.
mixed_digits = 사용자 이름의 숫자는 한 가지 숫자 체계로만 써야 합니다.
whole_script_confusable = 이 사용자 이름은 다른 문자 체계로 쓴 이름처럼 보입니다.
looks_like_email = 이메일 주소처럼 보이는 사용자 이름은 사용할 수 없습니다.
looks_like_url = 웹 주소처럼 보이는 사용자 이름은 사용할 수 없습니다.
looks_like_domain = 도메인 이름처럼 보이는 사용자 이름은 사용할 수 없습니다.
looks_like_punycode = 사용자 이름에는 인코딩된 도메인 레이블(xn--)을 사용할 수 없습니다.
looks_like_phone_number = 전화번호나 ID 번호처럼 보이는 사용자 이름은 사용할 수 없습니다.
reserved = 이 사용자 이름은 예약되어 있습니다.
inappropriate = 이 사용자 이름은 허용되지 않습니다.
unstable_normalization = 이 사용자 이름은 사용할 수 없습니다.

## Sign-up and the registry

name_taken = 이미 사용 중인 사용자 이름입니다.
name_required = 사용자 이름을 설정하세요.
registry_timeout = 사용자 이름 등록 서비스가 제시간에 응답하지 않았습니다. 다시 시도하세요.
registry_unavailable = 지금은 사용자 이름 등록 서비스에 연결할 수 없습니다. 다시 시도하세요.
registry_corrupt = 지금은 사용자 이름 등록 서비스의 데이터를 읽을 수 없습니다. 다시 시도하세요.

## The HTTP API (docs/api.md)

bad_request = 다음과 같은 JSON 본문을 보내세요: {"{"}"username": "new_name"{"}"}.
bad_name_encoding = 경로에 있는 이름은 퍼센트 인코딩된 UTF-8이어야 합니다.
body_too_large = 요청 본문이 너무 큽니다. 다음과 같이 보내세요: {"{"}"username": "new_name"{"}"}.
unauthorized = 먼저 로그인하세요. 액세스 토큰 또는 ID 토큰을 `Authorization: Bearer <token>` 형식으로 보내세요.
name_immutable = 사용자 이름은 로그인할 때 쓰는 이름이므로 변경하거나 포기할 수 없습니다.
rename_cooldown = 최근에 사용자 이름을 변경했습니다. { $unit ->
        [day] { $count }일
        [hour] { $count }시간
        [minute] { $count }분
       *[second] { $count }초
    } 후에 다시 변경할 수 있습니다.
not_found = 여기에는 아무것도 없습니다. /v1/ 아래의 API 경로를 확인하세요.
method_not_allowed = 이 경로에서는 해당 메서드를 사용할 수 없습니다. 사용할 수 있는 메서드: { $allow }.
