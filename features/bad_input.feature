Feature: Bad input is refused clearly and loses nothing
  A mistake gets one clear message saying what is wrong and how to fix it, and writes nothing.

  Scenario: A complaint with no text is refused
    Given the brand "bistro"
    When someone opens a complaint on facebook from "@jana": " "
    Then it is refused because "needs its author and its text"
    And no case was opened

  Scenario: A complaint on a channel the brand does not serve is refused
    Given the brand "eshop"
    When someone opens a complaint on tiktok from "@jana": "Where is my parcel?"
    Then it is refused because "does not serve channel 'tiktok'"
    And no case was opened

  Scenario: An unknown trigger is refused, guessing the one meant and naming the allowed ones
    Given the brand under test
    And a complaint from "@jana": "Where is my parcel?"
    When "eva" fires "acknowlege"
    Then it is refused because "no trigger 'acknowlege'"
    And it is refused because "did you mean 'acknowledge'?"
    And it is refused because "allowed now: acknowledge"

  Scenario: A typo in a flow file is reported with its file, line and a hint
    Given the flow of brand "typo" is written as:
      """
      extends: default
      name: Typo Inc
      flow:
        triggers:
          resolve:
            from: [investigating]
            to: resolvd
      """
    Then the flows are refused at "typo/flow.yaml:7": "unknown state 'resolvd'"

  Scenario: An unknown guard is reported where it is named
    Given the flow of brand "guarded" is written as:
      """
      extends: default
      name: Guarded
      flow:
        triggers:
          resolve:
            guards: [has_findings]
      """
    Then the flows are refused at "guarded/flow.yaml:6": "unknown guard 'has_findings'"
