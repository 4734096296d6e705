Feature: What a brand answers matters more than how fast
  A reply is checked before it goes out: never blame, never hollow, never only a hotline,
  never the same sentence pasted to everyone, never personal data in public, and always in the
  customer's language and the brand's voice.

  Scenario: A blame phrase blocks a reply
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka už podruhé"
    When "eva" replies "Omlouváme se, ale není to naše chyba, za to může dodavatel."
    Then the reply is refused for "blame"
    And no reply was recorded
    When "eva" sends it anyway, because "the supplier asked for this wording"
    Then the reply was sent with the reason "the supplier asked for this wording"

  Scenario: A blame phrase blocks a reply, whatever the brand
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    When "eva" replies "Sorry, but it's not our fault, the courier is to blame."
    Then the reply is refused for "blame"

  Scenario: Blame shifted onto the carrier is caught however it is worded
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Kde je moje objednávka?"
    When "eva" replies "Problém je bohužel u přepravce."
    Then the reply is refused for "blame"
    When "eva" replies "Zpoždění způsobil přepravce, ne my."
    Then the reply is refused for "blame"
    When "eva" replies "Přepravce balík poškodil, proto vám dnes posíláme nový a zítra ho máte."
    Then the reply is not flagged "blame"

  Scenario: A promise with nothing to hold the team to is hollow
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Kde je moje objednávka?"
    When "eva" replies "Váš dotaz ověříme a ozveme se."
    Then the reply is flagged "hollow"
    When "eva" replies "Ověříme to u kuchaře a do 14:00 vám napíšeme, co se stalo."
    Then the reply is not flagged "hollow"

  Scenario: A redirect-only reply does not resolve a case
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" replies "Omlouváme se. Zavolejte na infolinku." and fires "resolve"
    Then it is refused because "only redirects"
    And the case is still "investigating"
    When "eva" replies "Omlouváme se. Zavolejte na infolinku."
    Then the reply is flagged "redirect-only"
    And the case is still "investigating"

  Scenario: The same sentence to two customers is flagged
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka"
    And "eva" replied "Moc nás to mrzí, polévku vám hned vyměníme za čerstvou a dezert je na nás."
    And a complaint on facebook from "@petr": "Studená polévka"
    When "eva" replies "Moc nás to mrzí, polévku vám hned vyměníme za čerstvou a dezert je na nás!"
    Then the reply is flagged "copy-paste"

  Scenario: Saying it again to the same customer is not a copy
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka"
    And "eva" replied "Moc nás to mrzí, polévku vám hned vyměníme za čerstvou a dezert je na nás."
    When "eva" replies "Moc nás to mrzí, polévku vám hned vyměníme za čerstvou a dezert je na nás."
    Then the reply is not flagged "copy-paste"

  Scenario: A phone number in a public reply is refused, and is fine in private
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka, volejte mi na 603 123 456"
    Then the case is flagged "personal_data"
    When "eva" replies "Jano, zavoláme vám na 603 123 456 a domluvíme se."
    Then the reply is refused for "personal-data"
    And no reply was recorded
    When "eva" replies privately "Jano, zavoláme vám na 603 123 456 a domluvíme se."
    Then the history reads "open, reply"

  Scenario: A Czech complaint gets a Czech acknowledgement in the brand's voice
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka už podruhé tento měsíc, ostuda!"
    Then the customer wrote in Czech
    And the customer is read as "angry"
    When "eva" replies with the "acknowledge" template and fires "acknowledge"
    Then the reply is in Czech, in the brand's voice
    And the reply says "máš plné právo se zlobit"
    And the case is "acknowledged"

  Scenario: An English complaint to the same brand is answered in English
    Given the brand "bistro"
    And a complaint on facebook from "@tom": "The soup was cold, could you check the kitchen?"
    When "eva" replies with the "acknowledge" template
    Then the reply is in English, in the brand's voice

  Scenario: A complaint in a language the brand does not serve is flagged
    Given the brand "bistro"
    And a complaint on facebook from "@jan": "Studená polievka, už nikdy viac nepríďem."
    Then the case is flagged "unserved_language"
