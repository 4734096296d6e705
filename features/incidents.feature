Feature: Bad news is announced before customers find it
  Never mask a mistake: announce a delay, an outage or the effects of a crisis before customers
  discover it, then answer each affected customer personally. An incident posts its
  announcement in every language the brand serves; the complaints it causes are suggested for
  it and linked by a person; each still gets its own reply; resolving it moves them on.

  Scenario: An outage announced before the first complaint
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    When "petr" announces an incident "card payments are failing at the till" on twitter about "card"
    Then the incident was announced on twitter in cs and en
    When 20 minutes pass
    And someone opens a complaint on twitter from "@jana": "My card payment failed twice"
    Then the case is suggested for the incident
    When "eva" links the case to the incident
    Then the case is linked to the incident
    And the incident was announced before 1 of 1 complaints

  Scenario: A complaint about something else, or on another channel, is not suggested
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    When "petr" announces an incident "card payments are failing at the till" on twitter about "card"
    And someone opens a complaint on facebook from "@jana": "My card payment failed twice"
    Then the case is not suggested for any incident
    When someone opens a complaint on twitter from "@ola": "The soup was cold"
    Then the case is not suggested for any incident

  Scenario: Two linked cases that received the same pasted text are flagged
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    When "petr" announces an incident "card payments are failing at the till" on twitter about "card"
    And someone opens a complaint on twitter from "@jana": "Platba kartou mi dvakrát neprošla"
    And "eva" links the case to the incident
    And "eva" replies "Moc se omlouváme, platby kartou nám dnes nefungují, opravujeme terminál a ozveme se do poledne."
    And someone opens a complaint on twitter from "@petr": "Platba kartou nefunguje"
    And "eva" links the case to the incident
    And "eva" replies "Moc se omlouváme, platby kartou nám dnes nefungují, opravujeme terminál a ozveme se do poledne!"
    Then the reply is flagged "copy-paste"

  Scenario: Resolving the incident moves its linked cases on
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    When "petr" announces an incident "card payments are failing at the till" on twitter about "card"
    And someone opens a complaint on twitter from "@jana": "My card payment failed twice"
    And "eva" links the case to the incident
    And "eva" replies with the "incident_acknowledge" template and fires "acknowledge"
    Then the reply says "that's the problem we flagged"
    When 2 hours pass
    And "petr" resolves the incident, because "a faulty card terminal"
    Then the case's finding is "founded" with the root cause "a faulty card terminal"
    And the case is "investigating"
