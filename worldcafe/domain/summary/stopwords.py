"""German and English stop words, plus the trivial words café notes are full of ("gut", "mehr", "really")."""

from __future__ import annotations

# Function words: articles, pronouns, prepositions, conjunctions, auxiliaries and their inflections.
_GERMAN_FUNCTION = """
ab aber ach alle allein allem allen aller allerdings alles als also am an ander andere anderem anderen anderer
anderes andern anders auch auf aus außer ausser außerdem ausserdem bald bei beide beiden beim beispielsweise
bereits bevor bin bis bisher bist bitte bzw da dabei dadurch dafür dagegen daher dahin damals damit danach
daneben dann daran darauf daraus darf darfst darin darüber darum darunter das dass daß davon davor dazu
dazwischen dein deine deinem deinen deiner deines dem demnach den denen denn dennoch der deren derer des deshalb
dessen desto dich die dies diese diesem diesen dieser dieses dir doch dort du durch dürfen dürfte dürften eben
ebenfalls ebenso ehe eher eigentlich ein eine einem einen einer eines einige einigen einiger einiges einmal er
es etwa etwas euch euer eure eurem euren eurer für gegen gegenüber gehabt gewesen habe haben hast hat hatte
hätte hatten hätten her heraus herein hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im
immer in indem infolge innen innerhalb ins irgend irgendwie ist ja je jede jedem jeden jeder jedes jedoch
jemand jene jenem jenen jener jenes jetzt kann kannst kaum kein keine keinem keinen keiner keines können könnt
könnte könnten konnte man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich
mir mit muss musste müssen müsste müssten nach nachdem nah neben nein nicht nichts nie niemand noch nun nur ob
oben obwohl oder ohne schon sein seine seinem seinen seiner seines seit seitdem selbst sich sie sind so sodass
solch solche solchem solchen solcher soll sollen sollst sollte sollten sonst soweit sowie sowohl statt über
um ums und uns unser unsere unserem unseren unserer unter usw viel vom von vor vorher während wann war wäre
waren wären warst warum was weder wegen weil welche welchem welchen welcher welches wem wen wenn wer werde
werden werdet wessen wie wieder wieso will willst wir wird wirst wo wobei wodurch woher wohin wollen wollte
wollten worden wurde würde wurden würden zu zum zur zwar zwischen zb ca evtl ggf etc dafuer fuer ueber
"""

# Words that fill notes without saying anything: praise, amount, modality, meta words about the café itself.
_GERMAN_TRIVIAL = """
gut gute guten guter gutes besser beste besten bestens schlecht toll super prima klasse okay ok mehr weniger
meist meiste meisten sehr viele vielen vieler vieles ganz gar genau gern gerne ziemlich total wirklich echt
einfach eigentlich vielleicht wahrscheinlich natürlich klar halt mal eben nämlich sicher sicherlich eher oft
öfter manchmal wichtig wichtige wichtigen wichtiger richtig falsch neu neue neuen neuer neues alt groß große
großen klein kleine kleinen lang lange machen macht gemacht mache tun tut getan geben gibt gab gegeben gehen
geht ging kommen kommt kam sagen sagt gesagt sehen sieht finden findet fand brauchen braucht brauche sollen
lassen lässt bleiben bleibt stehen steht heißt heisst bzgl idee ideen frage fragen thema themen punkt punkte
sache sachen ding dinge weise beispiel bsp möglich möglichkeit möglichkeiten problem probleme lösung
lösungen ja nein heute morgen gestern jahr jahre jahren zeit tag tage leute wichtigste
bisschen bissl paar erste ersten zweite dritte letzte nächste weitere weiteren anderen gleich gleiche beim
insgesamt allgemein generell grundsätzlich sowieso jedenfalls trotzdem überhaupt bestimmt irgendwas
irgendwer anscheinend offenbar hoch tief weit verbessern verbessert verbesserung ort
"""

_ENGLISH_FUNCTION = """
a about above after again against all am an and any are aren as at be because been before being below between
both but by can cannot could couldn did didn do does doesn doing don down during each either else ever every
few for from further had hadn has hasn have haven having he her here hers herself him himself his how however
i if in into is isn it its itself just let me might mine more most must mustn my myself neither no nor not of
off on once only or other others otherwise our ours ourselves out over own per same shall shan she should
shouldn since so some such than that the their theirs them themselves then there therefore these they this
those though through thus to too under until up upon us via was wasn we were weren what when where whether
which while who whom whose why will with within without won would wouldn yet you your yours yourself
yourselves ll re ve s t d m etc eg ie vs
"""

_ENGLISH_TRIVIAL = """
good better best great nice bad worse worst cool awesome ok okay fine really very quite rather pretty lot lots
much many more less most least also still even just maybe perhaps probably actually basically simply truly
definitely certainly sure totally thing things stuff something anything everything nothing someone anyone
everyone way ways sort need needs needed make makes made making do does done get gets got getting go goes
going went come comes came say says said see sees seen find found give gives given take takes taken think
thinks thought want wants wanted like likes use used using important new old big small large long high low
idea ideas question questions topic topics point points issue issues example examples yes no today tomorrow
yesterday year years time times day days able possible possibility problem problems solution solutions first
second third last next another other always never often sometimes usually already again around well right
wrong general generally overall whole each every keep keeps let lets put puts try tries bit improve
improves improved improving improvement local locally link links linked one ones two three several single
"""


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


GERMAN: frozenset[str] = _words(_GERMAN_FUNCTION) | _words(_GERMAN_TRIVIAL)
ENGLISH: frozenset[str] = _words(_ENGLISH_FUNCTION) | _words(_ENGLISH_TRIVIAL)
# Notes mix the two languages, so a word that is trivial in either never becomes a theme.
ALL: frozenset[str] = GERMAN | ENGLISH
# Function words only, for telling the languages apart: trivial words are too few per note to vote with.
GERMAN_MARKERS: frozenset[str] = _words(_GERMAN_FUNCTION) - _words(_ENGLISH_FUNCTION)
ENGLISH_MARKERS: frozenset[str] = _words(_ENGLISH_FUNCTION) - _words(_GERMAN_FUNCTION)
