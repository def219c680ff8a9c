"""Realistic dotted usernames ("first.word", "first.surname") for measuring how many the domain
look-alike rule refuses (README, "Domain look-alikes"). The lists are fixed: common given names,
the most frequent surnames of a few countries, and frequent English nouns, adjectives and verbs
of the kind people put after their name, chosen without looking at the TLD list."""

FIRST_NAMES = """
james mary john patricia robert jennifer michael linda william elizabeth david barbara richard
susan joseph jessica thomas sarah charles karen daniel nancy matthew lisa anthony betty mark
sandra paul ashley steven kimberly andrew emily kevin donna brian michelle george carol kate sam
alex jane bob anna maria sofia lucas emma noah olivia liam mia ali fatima chen wei yuki hana
raj priya ivan olga pierre marie hans lena luca giulia diego lucia
""".split()

SURNAMES = """
smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white harris
sanchez clark ramirez lewis robinson walker young allen king wright scott torres nguyen hill
flores green adams nelson baker hall rivera campbell mitchell carter roberts muller schmidt
schneider fischer weber rossi russo ferrari bernard dubois moreau kim park wang li zhang
""".split()

WORDS = """
love life live art design dev best song music photo world home family friend team star sun moon
sky blue red green black white gold dark light fire water wind rain snow king queen boss chef
cook coach doctor nurse teacher writer reader runner rider gamer player fan lover dreamer
maker builder dancer singer artist studio online cloud data code tech web net app games fun
cool happy lucky smile dream hope faith joy peace travel trip food coffee tea pizza cake beer
wine fit yoga bike car news blog shop store book books film movie tv radio space zone city
town land farm garden house care health help vision one two three plus max pro official real
""".split()


def names():
    """Every first name with every surname and every word, in a fixed order, once each."""
    seconds = list(dict.fromkeys(SURNAMES + WORDS))
    return [f"{first}.{second}" for first in FIRST_NAMES for second in seconds]
