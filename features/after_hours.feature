Feature: After hours, the customer knows when we are back
  A brand publishes its hours and keeps them. A complaint that arrives while the team is away
  gets a notice, in the brand's voice and language, saying when the team is back; its clock
  starts at the next opening. Weekends and holidays do not count.

  Scenario: An after-hours complaint starts its clock at opening
    Given the brand "bistro"
    And it is 2026-12-01 23:00
    And a complaint on twitter from "@jana": "Studená polévka"
    Then the customer got an after-hours notice saying "2. prosince 2026 v 10:00"
    And the first response clock started at 2026-12-02 10:00
    And the first response clock is due at 2026-12-02 11:00

  Scenario: A Friday-night complaint in English waits for the Saturday hours, answered in English
    Given the brand "bistro"
    And it is 2026-12-04 23:30
    And a complaint on twitter from "@jana": "Cold soup again"
    Then the customer got an after-hours notice saying "back on Saturday at 11:00"
    And the first response clock is due at 2026-12-05 12:00

  Scenario: A weekday team's weekend is not counted
    Given the brand "eshop"
    And it is 2026-12-04 19:30
    And a complaint on twitter from "Ivana": "Paket kasni"
    Then no after-hours notice was posted
    And the first response clock is due at 2026-12-07 08:30

  Scenario: Holidays and declared days off are skipped
    Given the brand "bistro"
    And it is 2026-12-23 21:30
    And a complaint on twitter from "@jana": "Cold soup again"
    Then no after-hours notice was posted
    And the first response clock is due at 2026-12-27 11:30

  Scenario: A complaint in the small hours waits for the opening
    Given the brand under test
    And it is 2026-12-02 03:00
    And a complaint from "@jana": "Still waiting for my order"
    Then the customer got an after-hours notice
    And the first response clock starts at the next opening
