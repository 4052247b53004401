#!/usr/bin/env python3
"""Regenerate the binary files of the sample corpus (PDF and DOCX).

    . .venv/bin/activate && python corpus/make_corpus.py            # write all
    python corpus/make_corpus.py --check                             # rebuild in a temp dir, compare

Needs reportlab and python-docx (both in the ``test`` extra). All text lives in
this script, so that nothing under corpus/ except the documents themselves is
indexable. Output is deterministic: reportlab runs in invariant mode with a fixed
SOURCE_DATE_EPOCH per document (this is also how each PDF gets its CreationDate),
and the DOCX zips are rewritten with fixed member timestamps.

The HTML pages and the text/Markdown notes are edited by hand; this script does
not touch them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import io
import os
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _epoch(year: int, month: int, day: int, hour: int = 10) -> int:
    return int(dt.datetime(year, month, day, hour, 0, 0, tzinfo=dt.timezone.utc).timestamp())


# --------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------

DEJAVU_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/Library/Fonts",
)


def register_dejavu() -> tuple[str, str, str] | None:
    """Register DejaVu Sans (regular, bold, oblique) if the TTFs are on this machine."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.lib.fonts import addMapping

    for d in DEJAVU_DIRS:
        files = {k: Path(d) / f for k, f in
                 (("r", "DejaVuSans.ttf"), ("b", "DejaVuSans-Bold.ttf"), ("i", "DejaVuSans-Oblique.ttf"))}
        if all(p.exists() for p in files.values()):
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(files["r"])))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(files["b"])))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Oblique", str(files["i"])))
            addMapping("DejaVuSans", 0, 0, "DejaVuSans")
            addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
            addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique")
            addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
            return "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"
    return None


# --------------------------------------------------------------------------------------
# A tiny markup for the PDF sources
#   "# Title"      -> level-1 heading (new page, TOC entry)
#   "## Title"     -> level-2 heading (TOC entry)
#   "### Title"    -> level-3 heading (no TOC entry)
#   "> text"       -> boxed callout
#   "- text"       -> bullet
#   "~ text"       -> small centred caption / credits line
#   "@page"        -> page break
#   anything else  -> paragraph (blocks are separated by blank lines; inline <b>, <i> allowed)
# --------------------------------------------------------------------------------------


def parse_blocks(src: str) -> list[tuple[str, str]]:
    blocks: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", " ".join(para)))
            para.clear()

    for raw in src.strip("\n").splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        for prefix, kind in (("### ", "h3"), ("## ", "h2"), ("# ", "h1"), ("> ", "box"), ("- ", "li"), ("~ ", "cap")):
            if line.startswith(prefix):
                flush()
                blocks.append((kind, line[len(prefix):]))
                break
        else:
            if line == "@page":
                flush()
                blocks.append(("page", ""))
            else:
                para.append(line)
    flush()
    return blocks


def build_pdf(out: Path, *, title: str, author: str, subject: str, keywords: str, lang: str,
              created: int, cover, body_src: str, font: str = "Helvetica", bold: str = "Helvetica-Bold",
              italic: str = "Helvetica-Oblique", accent: str = "#b5121b", footer_text: str = "",
              toc_title: str | None = None, toc_after: int = 0, back_cover=None,
              page_label: str = "p.") -> None:
    """Lay out one report with platypus: cover, optional TOC, body, footer page numbers."""
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate,
                                    Paragraph, Spacer, Table, TableStyle, ListFlowable, ListItem)
    from reportlab.platypus.tableofcontents import TableOfContents

    rl_config.invariant = 1
    os.environ["SOURCE_DATE_EPOCH"] = str(created)

    acc = colors.HexColor(accent)
    st = {
        "body": ParagraphStyle("body", fontName=font, fontSize=10.5, leading=15, alignment=TA_JUSTIFY, spaceAfter=7),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=19, leading=23, textColor=acc, spaceAfter=12,
                             keepWithNext=1),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=14, leading=18, textColor=acc, spaceBefore=8, spaceAfter=8,
                             keepWithNext=1),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=4,
                             keepWithNext=1),
        "box": ParagraphStyle("box", fontName=bold, fontSize=10.5, leading=15, textColor=colors.white),
        "li": ParagraphStyle("li", fontName=font, fontSize=10.5, leading=15, alignment=TA_JUSTIFY),
        "cap": ParagraphStyle("cap", fontName=font, fontSize=8.5, leading=11, alignment=TA_CENTER,
                              textColor=colors.HexColor("#444444")),
        "toc1": ParagraphStyle("toc1", fontName=bold, fontSize=12, leading=18, leftIndent=0),
        "toc2": ParagraphStyle("toc2", fontName=font, fontSize=10.5, leading=15, leftIndent=14),
        "tocT": ParagraphStyle("tocT", fontName=bold, fontSize=22, leading=26, textColor=acc, spaceAfter=18),
    }

    class Doc(BaseDocTemplate):
        def afterFlowable(self, flowable):
            level = getattr(flowable, "_toc_level", None)
            if level is not None:
                text = flowable.getPlainText()
                key = f"h{self.seq.nextf('heading')}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(text, key, level=level, closed=False)
                self.notify("TOCEntry", (level, text, self.page, key))

    doc = Doc(str(out), pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=22 * mm,
              bottomMargin=22 * mm, title=title, author=author, subject=subject, keywords=keywords,
              creator="corpus/make_corpus.py (reportlab platypus)", lang=lang)

    def on_cover(canv, d):
        canv.saveState()
        canv.setFillColor(acc)
        canv.rect(0, 0, A4[0], 38 * mm, stroke=0, fill=1)
        canv.restoreState()

    def on_page(canv, d):
        canv.saveState()
        canv.setStrokeColor(acc)
        canv.setLineWidth(0.6)
        canv.line(22 * mm, 15 * mm, A4[0] - 22 * mm, 15 * mm)
        canv.setFont(font, 8.5)
        canv.setFillColor(colors.HexColor("#555555"))
        canv.drawString(22 * mm, 10 * mm, footer_text)
        canv.drawRightString(A4[0] - 22 * mm, 10 * mm, f"{page_label} {d.page}")
        canv.restoreState()

    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="f")
    doc.addPageTemplates([PageTemplate("cover", [frame], onPage=on_cover),
                          PageTemplate("body", [frame], onPage=on_page)])

    story: list = []
    story.extend(cover(st))
    story.append(NextPageTemplate("body"))
    story.append(PageBreak())

    blocks = parse_blocks(body_src)
    toc_inserted = toc_title is None
    h1_seen = 0
    first = True
    bullets: list = []

    def flush_bullets():
        if bullets:
            story.append(ListFlowable([ListItem(b, leftIndent=12) for b in bullets], bulletType="bullet",
                                      start="•", leftIndent=12, bulletFontName=font))
            story.append(Spacer(1, 6))
            bullets.clear()

    for kind, text in blocks:
        if kind != "li":
            flush_bullets()
        if kind == "h1":
            if not first:
                story.append(PageBreak())
            if not toc_inserted and h1_seen == toc_after:
                toc = TableOfContents(levelStyles=[st["toc1"], st["toc2"]], dotsMinLevel=0)
                story.extend([Paragraph(toc_title, st["tocT"]), toc, PageBreak()])
                toc_inserted = True
            h1_seen += 1
            p = Paragraph(text, st["h1"])
            p._toc_level = 0
            story.append(p)
        elif kind == "h2":
            p = Paragraph(text, st["h2"])
            p._toc_level = 1
            story.append(p)
        elif kind == "h3":
            story.append(Paragraph(text, st["h3"]))
        elif kind == "box":
            t = Table([[Paragraph(text, st["box"])]], colWidths=[doc.width])
            t.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), acc),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 10), ("RIGHTPADDING", (0, 0), (-1, -1), 10),
                                   ("TOPPADDING", (0, 0), (-1, -1), 8), ("BOTTOMPADDING", (0, 0), (-1, -1), 8)]))
            story.extend([Spacer(1, 4), t, Spacer(1, 10)])
        elif kind == "li":
            bullets.append(Paragraph(text, st["li"]))
        elif kind == "cap":
            story.append(Paragraph(text, st["cap"]))
        elif kind == "page":
            story.append(PageBreak())
        else:
            story.append(Paragraph(text, st["body"]))
        first = False
    flush_bullets()
    if back_cover is not None:
        story.append(NextPageTemplate("cover"))
        story.append(PageBreak())
        story.extend(back_cover(st))

    if toc_title is not None:
        doc.multiBuild(story)
    else:
        doc.build(story)


def cover_block(lines: list[tuple[str, float, bool]], font: str, bold: str, accent: str, top: float = 60):
    """A centred cover: (text, size, is_bold) lines."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer

    def make(st):
        out: list = [Spacer(1, top)]
        for i, (text, size, is_bold) in enumerate(lines):
            if not text:
                out.append(Spacer(1, size))
                continue
            style = ParagraphStyle(f"cov{i}", fontName=bold if is_bold else font, fontSize=size,
                                   leading=size * 1.25, alignment=TA_CENTER,
                                   textColor=colors.HexColor(accent) if is_bold and size >= 20 else colors.black,
                                   spaceAfter=size * 0.4)
            out.append(Paragraph(text, style))
        return out

    return make


# --------------------------------------------------------------------------------------
# 1. Rapport d'activités 2019 (real publication, text from the seed)
# --------------------------------------------------------------------------------------

RAPPORT_2019 = r"""
# Edito

En 2019, comme depuis 26 ans, ECPAT Belgique a œuvré sans relâche pour combattre l'exploitation sexuelle des enfants.

Des centaines de personnes sensibilisées, de professionnel-le-s formé-e-s et de jeunes mieux outillé-e-s. Voici l'impact concret des actions menées par ECPAT Belgique en 2019.

A côté de ces résultats visibles, il y a des constats tout aussi importants : les projets, les publics touchés, les partenariats, les appels à l'expertise d'ECPAT Belgique augmentent et se diversifient.

Pour y répondre, de nombreuses initiatives ont été prises en interne : chercher de nouvelles sources de financement, entamer un processus de planification stratégique, solliciter davantage de bénévoles, déménager, etc.

Si les ressources financières et humaines restent insuffisantes face à l'ampleur de la tâche, les forces vives de l'organisation font preuve d'une motivation sans bornes pour continuer ce travail si nécessaire.

Merci pour cette belle aventure collective.

# Nos missions

> Prévenir l'exploitation sexuelle et la traite des enfants.

> Ecouter les victimes, les professionnel·le·s et les besoins de terrain.

> Mobiliser chacun·e pour créer, demain, un monde sans exploitation.

# Projets

## Lutter contre l'exploitation des enfants via les nouvelles technologies

### Projet (Dé) clic

Né du constat qu'un jeune en difficulté demande plus souvent de l'aide à un autre jeune, (Dé)clic est un projet qui veut donner aux adolescents des outils suffisants pour que chacun·e sache se protéger des risques liés aux nouvelles technologies, et conseiller les autres.

Cette année, ECPAT Belgique a pu intervenir à deux reprises à l'établissement des Sœurs de Notre-Dame, à Namur. Ces interventions ont permis d'aborder les questions de cyber-harcèlement, d'espace intime, de sexting, de vie privée mais également de sécuriser ses paramètres sur les réseaux sociaux.

ECPAT Belgique a également animé les activités de ce projet <b>auprès de deux entités accompagnant des victimes de traite</b> : PAGASA et Espéranto.

@page

## Lutter contre la traite des enfants

Au travers du projet ReACT (Reinforcing Assistance to Child victims of Trafficking), ECPAT Belgique forme les professionnel·le·s de terrain afin de prévenir, détecter et réagir aux cas de traite parmi les mineurs qu'ils accompagnent.

Deux formations aux questions de traite des enfants ont été menées auprès d'un public clé : le secteur de l'aide à la jeunesse. Ces formations ont eu lieu en mai et septembre et ont, chaque fois, rassemblé une quarantaine de participants. En parallèle, en juin et novembre, ECPAT Belgique a donné <b>2 heures d'exposé et une journée de formation sur la traite des enfants auprès de tuteurs</b>, à la demande de Caritas International Belgique.

ECPAT Belgique s'est également lancé dans le <b>projet KOUTCHA</b>, dont l'objectif est de mettre en place un protocole de collaboration entre la Belgique et la France pour la prise en charge des enfants victimes de traite.

Depuis octobre 2019, <b>ECPAT Belgique est devenu partenaire du projet CAPISCE</b>. L'objectif du projet est de renforcer la protection des enfants victimes de traite durant les procédures judiciaires. Cela se fera notamment via l'analyse des dispositifs existants et des bonnes pratiques ainsi que par la création d'un module de formation à destination des interprètes.

@page

## Lutter contre l'exploitation sexuelle des enfants dans le voyage et le tourisme

Le projet ALERT, tout comme la campagne Je dis STOP, a pour objectif d'améliorer la protection des enfants victimes d'exploitation sexuelle dans le voyage et le tourisme. Il a débuté, en avril 2019, par la participation d'ECPAT Belgique à une formation européenne destinée aux professionnels quant aux mécanismes de signalement des plateformes européennes, et à leurs possibles améliorations. <b>Il chapeaute et a permis de financer la totalité des activités de lutte contre l'exploitation sexuelle dans le voyage et le tourisme menées par ECPAT Belgique en 2019.</b>

> Obstacles au signalement de cas suspectés d'exploitation sexuelle des enfants

En avril 2019, un questionnaire en ligne concernant <b>les obstacles au signalement de cas d'exploitation sexuelle d'enfants dans le voyage et le tourisme</b> a recueilli plus de 300 réponses. En conséquent, trois focus groupes ont été créés avec des jeunes, des professionnel·le·s du tourisme et les partenaires de la campagne Je dis STOP ! afin d'analyser les résultats de ces questionnaires et d'émettre des recommandations claires. Celles-ci ont été rassemblées dans une étude, parue en novembre 2019 ainsi que une brochure succincte, reprenant les principaux obstacles.

Les 7 et 8 novembre 2019, ECPAT Belgique a participé à une formation européenne (Freiburg) rassemblant groupes ECPAT et autorités policières d'une dizaine de pays européens afin d'améliorer les plateformes européennes de signalement, et établir des standards minimum de qualité pour ces mécanismes.

Le 15 novembre, la campagne <b>Je dis STOP</b> a été présentée à la <b>Belgian association of travel management (BATM)</b>. La BATM est une association à but non lucratif, leader dans le domaine des voyages d'affaires, dont les membres sont parmi les principaux acheteurs et fournisseurs de services en voyage d'affaires en Belgique.

Comme chaque année, ECPAT Belgique a eu le plaisir d'organiser un concours, auprès d'étudiants en communication de l'IHECS. Ce concours, lancé en novembre dans le cadre du Hackaton, a défié 8 étudiant·e·s de proposer des concepts innovants, créatifs et axés sur les jeunes pour diffuser la campagne Je dis STOP !.

ECPAT Belgique a participé au salon du tourisme Vert Bleu Soleil à Liège. Durant cet évènement, plusieurs centaines de personnes ont été informées de l'existence du site Je dis STOP !, permettant de signaler tout cas d'abus sexuel commis sur des enfants à l'étranger.

En tant que <i>Local Code Representative</i>, ECPAT Belgique a participé à l'<b>Assemblée générale</b> du Code (le « Code de Conduite pour la protection des enfants contre l'exploitation sexuelle dans le tourisme et l'industrie des voyages ») qui s'est tenue à Berlin en mars 2019 afin de renforcer les partenariats internationaux et créer de nouveaux outils de formation pour les compagnies touristiques.

Cette année, <b>225 futur·e·s professionnel·le·s du tourisme, ont été formé·e·s par ECPAT Belgique</b> à la prévention, la détection et la réaction face à l'exploitation sexuelle des enfants. Ces formations ont eu lieu, respectivement, à l'UCLLeuven, Limburg, PXL Hasselt, Howest Kortrijk, HEPH Condorcet Saint Ghislain, Institut Charles Péguy (Louvain-la-Neuve), Thomas More Mechelen à Malines et l'ISALT à Bruxelles.

Ont également pu bénéficier d'une formation complète 30 accompagnateur·ice·s de voyage du Reis-en-Opleiding Centrum de Gand (un des seuls membres du Code en Belgique) <b>et 75 employé·e·s de Sofitel Brussels Europe.</b>

# Plaidoyer

## Plaidoyer national

Suite à sa participation au jeudi de l'hémicycle en 2018, ECPAT Belgique avait eu le plaisir de contribuer, par le biais d'une courte carte blanche, à la brochure marquant les 30 ans du Parlement francophone bruxellois

Le 21 novembre 2019, ECPAT Belgique a été ravi de s'y rendre à nouveau pour présenter ses projets de prévention lors d'une matinée de réflexion organisée autour des « pratiques du cyberharcèlement aux prismes du genre ».

L'année 2019 a également été l'occasion de <b>rencontres stratégiques</b>, par exemple avec la députée fédérale Sophie Rohonyi, fortement intéressée par la lutte contre l'exploitation sexuelle dans le voyage et le tourisme. Elle a aussi permis une <b>ouverture à d'autres secteurs et réalités</b>. A l'occasion de la journée portes ouvertes de l'Impact House Brussels, par exemple, ECPAT Belgique a eu la possibilité de présenter son travail au secteur privé et commercial, notamment de la finance.

@page

## Plaidoyer européen

Les 2 et 3 avril, ECPAT Belgique a participé au <b>12ème EU Forum on the rights of the child</b>. « Où en est-on et où veut-on aller ? » Ce sont les questions qui ont guidé les 250 participants venus de l'Europe entière durant 2 jours. Objectif : mieux protéger les droits de l'enfant. ECPAT Belgique se réjouit qu'une attention spécifique ait été portée à la participation des enfants notamment dans la lutte contre l'exploitation sexuelle.

Le 3 avril, ECPAT Belgique a été convié par l'<b>Intergroupe sur les droits de l'enfant du Parlement européen</b> à la présentation d'un index international concernant l'exploitation des enfants en ligne, index basé, entre autres, sur des travaux du réseau ECPAT. ECPAT Belgique est également membre de l'<b>Initiative pour les enfants dans la migration</b>. ECPAT Belgique continue également de représenter ECPAT International à la <b>Plateforme européenne contre la traite des êtres humains</b>.

@page

## Plaidoyer international

ECPAT Belgique a rencontré Facebook lors d'un <i>online safety expert meeting</i> en Belgique.

# Etudes et analyses

En 2019, ECPAT Belgique a rédigé plusieurs articles d'opinion par rapport à l'actualité :

« Abus sexuels de mineurs dans l'Eglise : l'obligation de dénoncer, une réelle avancée ? » Le 9 mai dernier, le Pape François a introduit un nouveau décret dans le droit canon obligeant la dénonciation des cas de violences sexuelles sur mineur·e·s. Ce texte était très attendu par les victimes, tient-il toutes ses promesses ?

« La non sanction des victimes de traite enfin inscrite dans la loi belge ». Imaginez une mineure nigériane contrainte de se voir victime de traite des êtres humains, ces mineurs sont également auteurs d'infractions commises sous la contrainte. La justice peut-elle les poursuivre ? Oui, mais depuis le 1er juillet 2019, ces victimes ne peuvent plus être sanctionnées pour les infractions qui résultent de leur exploitation.

ECPAT Belgique a aussi contribué à la publication de deux recherches européennes :

« Obstacles aux signalements de situations suspectes d'exploitation sexuelle ». Combien de personnes seraient disposées à signaler des cas d'exploitation sexuelle lors d'un voyage à l'étranger ? Pour répondre à cette question, nous avons demandé à 1081 participants provenant d'Autriche, de Belgique, de France, d'Allemagne et des Pays-Bas.

« Comparaison des mécanismes européens de signalements ». Les mécanismes de signalement (inter)nationaux sont-ils efficaces pour recueillir les signalements d'exploitation sexuelle d'enfants dans les voyages et le tourisme ? Quelles améliorations faudrait-il apporter pour s'assurer que les renseignements fournis par les voyageur·se·s puissent être utilisés dans le cadre d'enquêtes et donner lieu à des poursuites ?

# Rencontre

## Renforcement du réseau

Au niveau belge, ECPAT Belgique a continué sa collaboration avec les membres des <b>coalitions d'ONG pour les droits de l'enfant</b>, la CODE du côté francophone et la KIRECO du néerlandophone.

> Vrai ou faux ? L'exploitation sexuelle d'enfants peut être poursuivie uniquement dans le pays d'origine de la victime.

Le 2 mai, en participant à la <b>table ronde de Child Focus sur les <i>loverboys</i></b>, qui accueillait également sa Majesté la Reine Mathilde, ECPAT Belgique a pu rejoindre le comité de pilotage d'une étude visant à analyser ce phénomène au niveau de la région Bruxelles Capitale.

Comme chaque année, une collaboration a aussi pris place avec Défense des Enfants International Belgique afin de <b>former des professionnel·le·s issu·e·ss de plusieurs secteurs aux enjeux liés à la traite et l'exploitation des enfants</b>. Enfin, cette année a été charnière pour le <b>renforcement des partenariats avec tous les centres d'accueil et de soutien aux personnes victimes de traite</b>.

Au sein du mouvement ECPAT, cette année a été particulièrement riche :

Les 4 et 5 mars 2019, les groupes européens ECPAT se sont rassemblés à Berlin lors d'une consultation régionale, afin d'élaborer des stratégies efficaces pour mettre fin à l'exploitation sexuelle des enfants. En tant que « Focal Point on the EU Institutions », ECPAT Belgique a été sollicité pour donner une présentation sur les stratégies de plaidoyer.

En mai, un échange de bonnes pratiques était organisé à Vienne, portant principalement sur la bonne collaboration entre les groupes ECPAT de l'Est et ceux de l'Ouest. De nombreuses idées de projets communs ont émergé à l'issue de cette session, qui rassemblait une trentaine de groupes venus d'Europe et d'Asie Centrale. ECPAT Belgique a également donné une présentation sur les financements européens disponibles, afin de trouver des pistes pour concrétiser de futurs projets.

@page

## Organisation d'évènements

~ BY THE NAME OF TANIA
~ A FILM BY BÉNÉDICTE LIÉNARD &amp; MARY JIMÉNEZ

Salle comble pour la première de “By the name of Tania” à Bruxelles ! La projection, organisée à l’occasion de l’EU Anti-Trafficking Day 2019 n’a pas laissé les 120 participant·e·s indifférent·e·s et a donné lieu à un échange captivant avec les coréalisatrices et PAG-ASA, qui vient en aide aux victimes de traite des êtres humains.

Une belle façon de clôturer la « Quinzaine de la Solidarité Internationale » organisée par la Ville de Bruxelles, qui a soutenu l’évènement.

# Coulisses

ECPAT Belgique a déménagé ! Depuis le 1<super>er</super> août, la lutte contre l'exploitation sexuelle des enfants est assurée depuis un espace de co-working au sein de l'Impact House. Notez bien la nouvelle adresse : Rue Joseph II, 20 à 1000 Bruxelles.

Cette année a aussi été l'occasion du renouveau sur d'autres plans.

L'équipe et l'Assemblée générale se sont réunies afin d'élaborer un nouveau Plan stratégique pour les années à venir. Ce processus est actuellement en cours et devrait déboucher sur des lignes claires pour aiguiller les priorités futures d'ECPAT Belgique.

Enfin, le site Internet a été mis à jour. Vous pourrez à présent y trouver un descriptif des principaux projets en cours, nos nouvelles coordonnées et toutes nos actualités. Nous vous invitons à le consulter régulièrement pour ne rien manquer !

# Finances

Merci en particulier à :

A la région de Bruxelles Capitale, la ville de Bruxelles, la Fédération Wallonie-Bruxelles, la Commission Européenne et la Fondation John Cockerill, qui a accepté de faire confiance à ECPAT Belgique pour la première fois en 2019. Merci aussi à ONG Conseil Belgique, avec qui nous avons mené une campagne de recrutement de donateurs en rue qui s'est terminée en janvier 2020.

Tous nos donateur·ice·s privé·e·s, et plus particulièrement à Camille Dautricourt, pour avoir inscrit ECPAT Belgique sur sa liste de mariage. Encore félicitations.

Enfin, merci aux bénévoles qui se sont personnellement investi-e-s auprès d'ECPAT Belgique cette année.

> Vous donnez vie à nos actions.

# Gouvernance

## Le bureau

Ariane Couvreur- responsable du bureau<br/>Sharon Verkeste, William Quentin, Marianne Gély et Alexia Gallucci

## Le conseil d'administration

David Boulanger - président<br/>Katlijn Declercq - fondatrice<br/>Emmanuelle Vacher - administratrice

## L'assemblée générale

Isabelle De Maegt<br/>Sophie Jekeler - fondatrice<br/>Thomas Maertens<br/>Milena Michel<br/>Sofia Rebolledo<br/>Danielle Van Kerckoven - fondatrice<br/>Karl Wintgens
"""


def make_rapport_2019(outdir: Path) -> Path:
    out = outdir / "reports" / "rapport-activites-2019.pdf"
    accent = "#b5121b"
    cover = cover_block([
        ("ECPAT Belgique", 26, True),
        ("Eradiquons l'Exploitation Sexuelle des Enfants", 13, False),
        ("", 120, False),
        ("RAPPORT D'ACTIVITES 2019", 30, True),
    ], "Helvetica", "Helvetica-Bold", accent, top=90)
    back = cover_block([
        ("ECPAT Belgique", 24, True),
        ("Eradiquons l'Exploitation Sexuelle des Enfants", 13, False),
        ("", 60, False),
        ("Pour nous suivre et nous soutenir en 2020", 14, True),
        ("Rue Joseph II, 20 – 1000 Bruxelles", 11, False),
    ], "Helvetica", "Helvetica-Bold", accent, top=150)
    build_pdf(out, title="Rapport d'activités 2019", author="ECPAT Belgique",
              subject="Rapport d'activités 2019 d'ECPAT Belgique : projets, plaidoyer, études, réseau, évènements, finances",
              keywords="ECPAT Belgique, rapport d'activités, 2019, exploitation sexuelle des enfants, traite, "
                       "voyage et tourisme, (Dé)clic, ReACT, KOUTCHA, CAPISCE, ALERT, Je dis STOP",
              lang="fr-BE", created=_epoch(2020, 5, 28), cover=cover, body_src=RAPPORT_2019,
              accent=accent, footer_text="ECPAT Belgique – Rapport d'activités 2019",
              toc_title="Sommaire", toc_after=1, back_cover=back, page_label="p.")
    return out


# --------------------------------------------------------------------------------------
# 2. Bilingual FR/NL brochure (written sample)
# --------------------------------------------------------------------------------------

BROCHURE_FR = r"""
# Obstacles au signalement : ce que disent les voyageurs

Chaque année, des enfants sont victimes d'exploitation sexuelle dans le cadre du voyage et du tourisme, partout dans le monde, y compris en Europe. Les voyageurs et les professionnels du tourisme sont souvent les seuls témoins de ces situations. Leur signalement peut permettre à la police d'ouvrir une enquête et de protéger un enfant.

Pourtant, très peu de témoins signalent ce qu'ils ont vu. Pour comprendre pourquoi, ECPAT Belgique et quatre autres groupes ECPAT (Allemagne, Autriche, France et Pays-Bas) ont mené en 2019, dans le cadre du projet européen ALERT, une enquête auprès de 1081 voyageurs. En Belgique, plus de 300 personnes ont répondu au questionnaire en ligne. Trois focus groupes, réunissant des jeunes, des professionnel·le·s du tourisme et les partenaires de la campagne Je dis STOP, ont ensuite analysé les résultats.

Cette brochure résume les principaux enseignements de l'étude. L'étude complète est disponible sur demande.

## Les chiffres clés

- Un répondant sur cinq dit avoir déjà été témoin, en voyage, d'une situation qui lui a semblé suspecte impliquant un enfant.
- Parmi eux, seul un sur sept environ a signalé la situation à la police ou à une plateforme de signalement.
- Moins d'un répondant belge sur dix connaissait le site de signalement jedisstop.be.
- Plus de huit répondants sur dix déclarent qu'ils signaleraient s'ils savaient comment faire et s'ils étaient sûrs que leur signalement serait traité.

## Les cinq obstacles principaux

### 1. Le doute

« Je n'étais pas sûr de ce que j'avais vu. » C'est de loin la raison la plus citée. Les voyageurs craignent de se tromper et d'accuser à tort un parent ou un ami de la famille.

### 2. La peur de mettre l'enfant en danger

Beaucoup de témoins redoutent qu'une intervention de la police locale aggrave la situation de l'enfant, en particulier dans les pays où ils ne font pas confiance aux autorités.

### 3. Ne pas savoir où signaler

La majorité des répondants ignorent qu'il existe des plateformes nationales de signalement et qu'un Belge peut être poursuivi en Belgique pour des abus commis à l'étranger.

### 4. L'absence de retour

Les personnes qui ont déjà signalé une situation ne savent pas ce qu'il est advenu de leur signalement, ce qui les décourage de recommencer.

### 5. Le sentiment que « ce n'est pas mon rôle »

Certains voyageurs estiment qu'il ne leur appartient pas d'intervenir dans un pays étranger, surtout en vacances.

## Nos recommandations

- Mieux faire connaître le site Je dis STOP auprès des voyageurs, avec l'aide des agences de voyage, des aéroports et des membres du Code de conduite pour la protection des enfants (The Code).
- Expliquer clairement ce qu'il advient d'un signalement et garantir un retour, même minimal, à la personne qui signale.
- Former les professionnels du tourisme, qui sont des témoins privilégiés.
- Adopter au niveau européen des standards minimum de qualité pour les plateformes de signalement.

> Un signalement n'est pas une accusation : c'est une information qui permet à la police de vérifier une situation. En cas de doute, signalez sur www.jedisstop.be.
"""

BROCHURE_NL = r"""
# Drempels bij het melden: wat reizigers ons vertellen

Elk jaar worden kinderen over de hele wereld, ook in Europa, het slachtoffer van seksuele uitbuiting in de context van reizen en toerisme. Reizigers en professionals uit de toeristische sector zijn vaak de enige getuigen van zulke situaties. Hun melding kan de politie in staat stellen een onderzoek te openen en een kind te beschermen.

Toch melden maar weinig getuigen wat ze gezien hebben. Om te begrijpen waarom, voerden ECPAT België en vier andere ECPAT-groepen (Duitsland, Frankrijk, Nederland en Oostenrijk) in 2019, in het kader van het Europese project ALERT, een bevraging uit bij 1081 reizigers. In België vulden meer dan 300 mensen de online vragenlijst in. Daarna analyseerden drie focusgroepen – met jongeren, met professionals uit de reissector en met de partners van de campagne Ik zeg STOP – de resultaten.

Deze brochure vat de belangrijkste lessen van de studie samen. De volledige studie is op aanvraag beschikbaar.

## Kerncijfers

- Eén respondent op vijf zegt tijdens een reis al eens getuige te zijn geweest van een verdachte situatie met een kind.
- Van hen heeft slechts ongeveer één op zeven de situatie gemeld bij de politie of bij een meldpunt.
- Minder dan één Belgische respondent op tien kende het meldpunt ikzegstop.be.
- Meer dan acht respondenten op tien zeggen dat ze zouden melden als ze wisten hoe en als ze zeker waren dat hun melding behandeld wordt.

## De vijf belangrijkste drempels

### 1. Twijfel

“Ik was niet zeker van wat ik gezien had.” Dat is veruit de meest genoemde reden. Reizigers zijn bang zich te vergissen en een ouder of familievriend ten onrechte te beschuldigen.

### 2. Angst om het kind in gevaar te brengen

Veel getuigen vrezen dat een tussenkomst van de lokale politie de situatie van het kind zal verergeren, zeker in landen waar ze de autoriteiten niet vertrouwen.

### 3. Niet weten waar je kunt melden

De meeste respondenten weten niet dat er nationale meldpunten bestaan en dat een Belg in België vervolgd kan worden voor misbruik in het buitenland.

### 4. Geen terugkoppeling

Wie al eens een melding deed, weet niet wat ermee gebeurd is. Dat ontmoedigt om het opnieuw te doen.

### 5. Het gevoel dat “het niet mijn rol is”

Sommige reizigers vinden dat het niet aan hen is om tussen te komen in een vreemd land, zeker niet op vakantie.

## Onze aanbevelingen

- Het meldpunt Ik zeg STOP beter bekendmaken bij reizigers, met de hulp van reisbureaus, luchthavens en de leden van de Gedragscode voor de bescherming van kinderen (The Code).
- Duidelijk uitleggen wat er met een melding gebeurt en de melder, al is het beperkt, terugkoppeling geven.
- Professionals uit de reissector opleiden: zij zijn bevoorrechte getuigen.
- Op Europees niveau minimumnormen vastleggen voor de kwaliteit van meldpunten.

> Een melding is geen beschuldiging: het is informatie waarmee de politie een situatie kan nagaan. Twijfel je? Meld het op www.ikzegstop.be.
"""


def make_brochure(outdir: Path) -> Path:
    out = outdir / "reports" / "brochure-obstacles-signalement-drempels-melden-2019.pdf"
    fonts = register_dejavu()
    font, bold, italic = fonts or ("Helvetica", "Helvetica-Bold", "Helvetica-Oblique")
    accent = "#1f4e79"
    cover = cover_block([
        ("Obstacles au signalement de l'exploitation sexuelle des enfants dans le voyage et le tourisme", 20, True),
        ("Brochure – résumé de l'étude", 12, False),
        ("", 30, False),
        ("Drempels bij het melden van seksuele uitbuiting van kinderen in reizen en toerisme", 20, True),
        ("Brochure – samenvatting van de studie", 12, False),
        ("", 60, False),
        ("ECPAT Belgique – ECPAT België · Projet / project ALERT · Novembre / november 2019", 10, False),
    ], font, bold, accent, top=70)
    back = cover_block([
        ("Colophon", 14, True),
        ("ECPAT Belgique / ECPAT België – Rue Joseph II 20 / Jozef II-straat 20 – 1000 Bruxelles / Brussel", 10, False),
        ("Signaler / Melden : www.jedisstop.be – www.ikzegstop.be", 10, False),
        ("Cette publication a été réalisée dans le cadre du projet ALERT, cofinancé par l'Union européenne. "
         "Deze publicatie kwam tot stand in het kader van het project ALERT, medegefinancierd door de Europese Unie.", 9, False),
        ("Exemplaire de démonstration – texte rédigé pour le corpus d'exemple de l'archive. "
         "Demonstratie-exemplaar – tekst geschreven voor het voorbeeldcorpus van het archief.", 8, False),
    ], font, bold, accent, top=380)
    build_pdf(out, title="Obstacles au signalement / Drempels bij het melden (2019)",
              author="ECPAT Belgique / ECPAT België",
              subject="Brochure bilingue FR/NL – tweetalige brochure FR/NL: exploitation sexuelle des enfants "
                      "dans le voyage et le tourisme / seksuele uitbuiting van kinderen in reizen en toerisme",
              keywords="ALERT, Je dis STOP, Ik zeg STOP, signalement, melden, voyage et tourisme, reizen en toerisme",
              lang="fr-BE", created=_epoch(2019, 11, 14), cover=cover,
              body_src=BROCHURE_FR + "\n" + BROCHURE_NL, font=font, bold=bold, italic=italic, accent=accent,
              footer_text="ECPAT Belgique / België – ALERT 2019", back_cover=back, page_label="")
    return out


# --------------------------------------------------------------------------------------
# 3. English study (written sample)
# --------------------------------------------------------------------------------------

STUDY_EN = r"""
# Executive summary

Children who are victims of trafficking often cannot speak the language of the police officers, lawyers, social workers and judges who are supposed to protect them. Whether a child is identified as a victim, understands his or her rights and is able to give evidence without being harmed again depends to a large extent on one person who is rarely trained for the task: the interpreter.

This study was carried out by ECPAT Belgium in 2021 and 2022 as part of CAPISCE, a European project that aims to strengthen the protection of child victims of trafficking during judicial proceedings. It is based on a review of the Belgian legal framework, 34 semi-structured interviews with interpreters, police officers, magistrates, guardians and staff of specialised shelters, and an online survey completed by 118 interpreters working in Belgium.

Key findings:

- Most interpreters who work with child victims have received no training on child trafficking, on child development or on trauma. Fewer than one in five survey respondents had ever followed a course on interviewing children.
- Interpreters are often called at very short notice, at night, for hearings that last several hours, and they rarely receive information beforehand about the age or situation of the child.
- Children and professionals both report situations where the interpreter knew the child's family or community, or was perceived as being close to the traffickers.
- There is no systematic debriefing or psychological support for interpreters after difficult hearings.

Main recommendations: a short compulsory training module for interpreters working with child victims, a roster of trained interpreters for the main languages concerned, better preparation of hearings, and clear rules on conflicts of interest.

# 1. Introduction

## 1.1 Child trafficking in Belgium

Children are trafficked into, through and within Belgium for sexual exploitation, forced criminality, begging and labour exploitation. Many are unaccompanied migrant children; others are Belgian teenagers recruited by so-called loverboys. The number of identified child victims remains low, which practitioners attribute to difficulties of detection rather than to the real scale of the phenomenon.

Belgian law provides for a specific protection status for victims of trafficking, conditional on cooperation with the judicial authorities, and since 1 July 2019 explicitly states that victims must not be punished for offences committed as a direct consequence of their exploitation. Child victims are heard in a child-friendly setting, normally through an audio-visual recorded hearing conducted by specially trained police officers.

## 1.2 Why interpreters matter

In an audio-visual hearing, the interpreter is the channel through which every question and every answer passes. A poorly chosen word may suggest an answer, an impatient tone may silence a frightened child, and a mistranslation may later undermine the credibility of the child's statement in court. At the same time, interpreters themselves are exposed to distressing testimonies, often without any preparation or support.

## 1.3 The CAPISCE project

CAPISCE brings together partners from several EU member states. It analyses existing practices, identifies good practices and develops a training module for interpreters who work with child victims of trafficking. ECPAT Belgium joined the project in October 2019 and was responsible for the Belgian research and for testing the training module in French and Dutch.

# 2. Method

The research combined three methods. First, a desk review of the Belgian legal and policy framework on trafficking, child hearings and legal interpreting, including the 2016 law creating a national register of sworn interpreters. Second, 34 interviews conducted between May and December 2021: 9 interpreters, 7 police officers from the youth and trafficking units, 5 magistrates, 6 guardians, 4 staff members of specialised shelters for victims of trafficking and 3 lawyers. Third, an anonymous online survey in French, Dutch and English, completed by 118 interpreters between October 2021 and January 2022.

Most interviews took place online because of COVID-19 restrictions. All participants gave informed consent. No children were interviewed directly; their experiences were reported by the professionals who accompany them. Quotes have been anonymised and, where necessary, translated by the research team.

# 3. Findings

## 3.1 Training

Only 21 of the 118 survey respondents (18 %) had ever received training on interviewing children, and only 9 (8 %) on trafficking in human beings. Interpreters learn "on the job", sometimes during their first hearing with a child victim. Several interviewees said they had found out only afterwards that the young person they had interpreted for was considered a victim of trafficking.

## 3.2 Preparation and working conditions

Interpreters are usually contacted by phone a few hours before a hearing. They are rarely told the age of the child, the nature of the case or the expected duration. Police officers explained that they are not always allowed to share information before the hearing, but agreed that a short briefing on the context and on the child's needs would be possible and useful.

## 3.3 Neutrality and trust

In smaller language communities, interpreters may know the child's family, or be known to the network that exploited the child. Children sometimes refuse to speak in front of an interpreter from their own community. Magistrates and guardians stressed the need to check for conflicts of interest and, where possible, to give the child a say in the choice of interpreter (for example, the interpreter's gender).

## 3.4 Impact on interpreters

A majority of survey respondents (64 %) said that a hearing with a child had affected them emotionally for several days. None of them had been offered a debriefing. Several interpreters said they had stopped accepting assignments involving children for this reason, which further reduces the pool of available interpreters.

## 3.5 Links with other practice

The findings echo those of ECPAT Belgium's training work under the ReACT project, in which guardians and youth-care workers reported similar difficulties when communicating with child victims who do not speak French or Dutch. They also confirm the importance of cross-border cooperation: in cases handled under the KOUTCHA protocol between Belgium and France, the same child may be heard several times in different countries, each time with a different interpreter.

# 4. Recommendations

## To the federal authorities

- Introduce a compulsory short training module on child victims of trafficking, child development and trauma for interpreters registered to work with children.
- Create a roster of trained interpreters for the languages most frequently needed in trafficking cases.
- Fund debriefing and psychological support for interpreters after hearings with child victims.

## To the police and judicial authorities

- Provide interpreters with a short briefing before each hearing: age of the child, type of case, expected duration, and any specific needs.
- Systematically check for conflicts of interest and, where possible, take the child's preference into account.
- Involve interpreters in the preparation and debriefing of audio-visual hearings.

## To the European Union

- Include interpreters among the professionals to be trained under the revised Anti-Trafficking Directive.
- Support the exchange of good practices between member states, including through projects such as CAPISCE.

# Annex: about this publication

This study was written by ECPAT Belgium within the CAPISCE project, co-funded by the European Union. The views expressed are those of the authors only. The French and Dutch versions of the training module for interpreters are available on request.

Demonstration copy: this text was written for the sample corpus of the archive. Names, figures and interviews are fictional.
"""


def make_study_en(outdir: Path) -> Path:
    out = outdir / "reports" / "capisce-interpreters-child-victims-study-2022.pdf"
    accent = "#2e6b30"
    cover = cover_block([
        ("Lost in translation?", 28, True),
        ("Interpreters and child victims of trafficking in Belgian judicial proceedings", 16, False),
        ("", 50, False),
        ("A study by ECPAT Belgium within the CAPISCE project", 12, False),
        ("Brussels, June 2022", 12, False),
    ], "Times-Roman", "Times-Bold", accent, top=120)
    build_pdf(out, title="Lost in translation? Interpreters and child victims of trafficking in Belgian judicial proceedings",
              author="ECPAT Belgium",
              subject="CAPISCE study on interpreting for child victims of trafficking in Belgium",
              keywords="CAPISCE, child trafficking, interpreters, judicial proceedings, Belgium, ReACT, KOUTCHA",
              lang="en-GB", created=_epoch(2022, 6, 21), cover=cover, body_src=STUDY_EN,
              font="Times-Roman", bold="Times-Bold", italic="Times-Italic", accent=accent,
              footer_text="ECPAT Belgium – CAPISCE study 2022", toc_title="Contents", toc_after=0,
              page_label="Page")
    return out


# --------------------------------------------------------------------------------------
# 4. DOCX press releases (written samples)
# --------------------------------------------------------------------------------------

DOCX_MIS_2014 = {
    "file": "press/2014-02-11-communique-make-it-safe.docx",
    "lang": "fr-BE",
    "author": "ECPAT Belgique",
    "title": "Safer Internet Day : des jeunes formés pour protéger leurs pairs en ligne",
    "label": "COMMUNIQUÉ DE PRESSE",
    "dateline": "Bruxelles, le 11 février 2014",
    "created": dt.datetime(2014, 2, 10, 16, 40),
    "keywords": "Make-IT-Safe, sécurité en ligne, jeunes, exploitation sexuelle en ligne, Safer Internet Day",
    "paragraphs": [
        ("lead", "À l'occasion du Safer Internet Day, ECPAT Belgique présente le bilan de la première année du "
                 "projet européen Make-IT-Safe : une vingtaine de jeunes, accompagnés par leurs coachs, sont "
                 "aujourd'hui prêts à devenir des « peer experts » de la sécurité en ligne."),
        ("p", "Lancé le 5 février 2013, Make-IT-Safe est mené par ECPAT Belgique avec quatre autres groupes ECPAT "
              "(Allemagne, Autriche, Pays-Bas et Royaume-Uni). Le projet part d'un constat simple : les jeunes "
              "se confient plus volontiers à d'autres jeunes qu'à des adultes lorsqu'ils rencontrent un problème "
              "en ligne. Il vise donc à renforcer leurs connaissances pour qu'ils puissent se protéger eux-mêmes "
              "des risques d'exploitation et d'abus sexuels en ligne, puis informer, écouter et orienter leurs pairs."),
        ("h", "Des jeunes au cœur de la prévention"),
        ("p", "En Belgique, les participants viennent de centres pour mineurs étrangers non accompagnés, de services "
              "d'aide en milieu ouvert, d'une école secondaire et de mouvements de jeunesse. Au cours de plusieurs "
              "journées de formation, ils ont abordé les bases de la sécurité sur internet, la protection de la vie "
              "privée sur les réseaux sociaux, le grooming et le sexting, ainsi que les ressources vers lesquelles "
              "orienter un ami en difficulté."),
        ("p", "Les jeunes ont également commencé à concevoir eux-mêmes un outil de sensibilisation destiné à leurs pairs. "
              "« Ce sont eux qui savent quelles applications sont utilisées et quels mots il faut employer », explique "
              "l'équipe d'ECPAT Belgique. « Notre rôle est de leur donner les bonnes informations et de les soutenir. »"),
        ("h", "Un groupe d'experts pour accompagner le projet"),
        ("p", "Un groupe d'experts issus des secteurs des nouvelles technologies, de l'éducation, des droits de l'enfant "
              "et de l'éducation par les pairs accompagne le projet. Les coachs, professionnels des structures "
              "partenaires, assurent le suivi des jeunes au quotidien et la pérennité de la démarche après la fin du projet."),
        ("p", "Make-IT-Safe se clôturera par une conférence européenne à Bruxelles à l'automne 2014, au cours de laquelle "
              "les jeunes des cinq pays présenteront les outils qu'ils ont créés."),
        ("small", "Make-IT-Safe est cofinancé par l'Union européenne. ECPAT Belgique est une ONG qui lutte contre "
                  "l'exploitation sexuelle des enfants, en ligne, dans le voyage et le tourisme et dans le cadre de la "
                  "traite des enfants."),
        ("small", "Contact presse : ECPAT Belgique – presse@ecpat.example"),
    ],
}

DOCX_CAPISCE_2022 = {
    "file": "press/2022-10-18-persbericht-capisce-tolken.docx",
    "lang": "nl-BE",
    "author": "ECPAT België",
    "title": "Europese Dag tegen Mensenhandel: tolken krijgen opleiding om minderjarige slachtoffers beter bij te staan",
    "label": "PERSBERICHT",
    "dateline": "Brussel, 18 oktober 2022",
    "created": dt.datetime(2022, 10, 17, 14, 5),
    "keywords": "CAPISCE, kinderhandel, tolken, opleiding, gerechtelijke procedure, Europese Dag tegen Mensenhandel",
    "paragraphs": [
        ("lead", "Op de Europese Dag tegen Mensenhandel stelt ECPAT België een nieuwe opleiding voor tolken voor die "
                 "minderjarige slachtoffers van mensenhandel bijstaan tijdens verhoren en gerechtelijke procedures. "
                 "De opleiding werd ontwikkeld binnen het Europese project CAPISCE."),
        ("p", "Een kind dat het slachtoffer is van kinderhandel, spreekt vaak geen Nederlands of Frans. Tijdens het "
              "verhoor door de politie, het gesprek met de advocaat of de zitting bij de jeugdrechter is de tolk dan "
              "de enige brug tussen het kind en de volwassenen die het moeten beschermen. Toch krijgen tolken bijna "
              "nooit een opleiding over kinderhandel, over de ontwikkeling van kinderen of over trauma."),
        ("p", "Uit een studie van ECPAT België bij 118 tolken bleek dat minder dan één op vijf ooit een opleiding "
              "kreeg over het verhoren van kinderen. Tolken worden vaak op het laatste moment opgeroepen, zonder "
              "informatie over de leeftijd of de situatie van het kind, en ze krijgen na een zwaar verhoor geen "
              "ondersteuning."),
        ("h", "Een opleiding op maat"),
        ("p", "De nieuwe opleiding duurt één dag en bestaat uit vier delen: wat is kinderhandel en hoe herken je een "
              "slachtoffer; hoe verloopt een audiovisueel verhoor van een minderjarige; hoe tolk je op een "
              "kindvriendelijke manier zonder antwoorden te sturen; en hoe zorg je voor jezelf na een moeilijk "
              "verhoor. De opleiding werd dit najaar getest met twintig tolken in Brussel en Antwerpen en is "
              "beschikbaar in het Nederlands en het Frans."),
        ("p", "\u201cDe tolk is geen neutraal doorgeefluik maar een sleutelfiguur in de bescherming van het kind\u201d, "
              "zegt Lotte Wouters, projectmedewerker bij ECPAT België. \u201cAls het kind de tolk niet vertrouwt, "
              "zal het niet vertellen wat het heeft meegemaakt. Dan blijft de uitbuiting onzichtbaar.\u201d"),
        ("h", "Oproep aan de overheid"),
        ("p", "ECPAT België vraagt de federale overheid om de opleiding verplicht te maken voor beëdigde tolken die "
              "met minderjarige slachtoffers werken, om een lijst van opgeleide tolken aan te leggen en om te voorzien "
              "in psychologische ondersteuning. De opleiding vult het werk aan dat ECPAT België sinds 2018 binnen het "
              "project ReACT doet met voogden en professionals uit de jeugdhulp."),
        ("small", "CAPISCE wordt medegefinancierd door de Europese Unie. ECPAT België is een ngo die strijdt tegen "
                  "seksuele uitbuiting van kinderen en kinderhandel."),
        ("small", "Perscontact: Lotte Wouters – pers@ecpat.example"),
    ],
}


def make_docx(outdir: Path, spec: dict) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    out = outdir / spec["file"]
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    # language of the text, as Word would store it
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:val"), spec["lang"])

    label = d.add_paragraph()
    run = label.add_run(spec["label"])
    run.bold = True
    run.font.color.rgb = RGBColor(0xB5, 0x12, 0x1B)
    d.add_paragraph(spec["dateline"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_heading(spec["title"], level=0)  # "Title" style
    for kind, text in spec["paragraphs"]:
        if kind == "h":
            d.add_heading(text, level=2)
        elif kind == "lead":
            p = d.add_paragraph()
            p.add_run(text).bold = True
        elif kind == "small":
            p = d.add_paragraph()
            r = p.add_run(text)
            r.italic = True
            r.font.size = Pt(9)
        else:
            d.add_paragraph(text)
    d.add_paragraph("###").alignment = WD_ALIGN_PARAGRAPH.CENTER

    cp = d.core_properties
    cp.title = spec["title"]
    cp.author = spec["author"]
    cp.last_modified_by = spec["author"]
    cp.created = spec["created"]
    cp.modified = spec["created"] + dt.timedelta(hours=1)
    cp.last_printed = spec["created"] + dt.timedelta(hours=1)
    cp.revision = 3
    cp.language = spec["lang"]
    cp.keywords = spec["keywords"]
    cp.subject = spec["label"].capitalize()
    cp.category = "press_release"
    cp.comments = "Sample document written for the archive's demo corpus."

    buf = io.BytesIO()
    d.save(buf)
    _write_deterministic_zip(buf.getvalue(), out, spec["created"])
    return out


def _write_deterministic_zip(data: bytes, out: Path, when: dt.datetime) -> None:
    """Rewrite a zip with fixed member timestamps so that the bytes do not depend on today's date."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))


# --------------------------------------------------------------------------------------

def build_all(outdir: Path) -> list[Path]:
    for sub in ("reports", "press"):
        (outdir / sub).mkdir(parents=True, exist_ok=True)
    return [
        make_rapport_2019(outdir),
        make_brochure(outdir),
        make_study_en(outdir),
        make_docx(outdir, DOCX_MIS_2014),
        make_docx(outdir, DOCX_CAPISCE_2022),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="build into a temporary directory and compare with the committed files")
    ap.add_argument("--out", type=Path, default=HERE, help="output root (default: the corpus directory)")
    args = ap.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = build_all(Path(tmp))
            bad = [p.relative_to(tmp) for p in built
                   if not filecmp.cmp(p, HERE / p.relative_to(tmp), shallow=False)]
        for p in bad:
            print(f"differs: {p}")
        print("ok" if not bad else f"{len(bad)} file(s) differ")
        return 1 if bad else 0
    for p in build_all(args.out):
        print(f"wrote {p.relative_to(args.out)} ({p.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
