Feature: Remedies are approved, issued once and accounted for
  A remedy within the agent's limit is issued at once, a coupon or voucher with its own code.
  Above it the remedy waits for a lead, who approves it once or declines it with a reason.
  Every remedy stays in the ledger, and the same offer made twice issues nothing new. An issued
  remedy is redeemed once, or voided by a lead with a reason.

  Scenario: A coupon within the limit is issued with a code
    Given the brand "bistro"
    And a complaint on facebook from "@jana": "Studená polévka už podruhé"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" offers a coupon worth 1 meal
    Then the remedy is issued with a code
    And the case is "remedy_offered"

  Scenario: A 450 PLN voucher waits for the lead, who approves it once
    Given the brand "bikeshare"
    And a complaint on twitter from "@tomek": "Your bike tore my jeans"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "chain guard bolt missing"
    And "eva" offers a voucher worth 450 PLN
    Then the remedy waits for a lead's approval
    And the case is still "investigating"
    When "ola" approves the remedy
    Then it is refused because "only a lead of bikeshare may approve"
    When "petr" approves the remedy
    Then the remedy is issued with a code
    And the case is "remedy_offered"
    When "petr" approves the remedy
    Then it is refused because "not waiting for approval"
    And the case has 1 remedy

  Scenario: A lead declines a remedy with a reason and nothing is issued
    Given the brand "bikeshare"
    And a complaint on twitter from "@tomek": "Your bike tore my jeans"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "chain guard bolt missing"
    And "eva" offers a voucher worth 500 PLN
    And "petr" declines the remedy, because "the shop repairs the jeans instead"
    Then the remedy is declined, because "the shop repairs the jeans instead"
    And the case is still "investigating"

  Scenario: The same offer made twice issues one remedy
    Given the brand "bikeshare"
    And a complaint on twitter from "@tomek": "Your bike tore my jeans"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "chain guard bolt missing"
    And "eva" offers a voucher worth 100 PLN with the key "tw-77-voucher"
    And "eva" offers a voucher worth 100 PLN again, with the key "tw-77-voucher"
    Then the remedy is issued with a code
    And the case has 1 remedy

  Scenario: Goodwill goes beyond duty on an unfounded complaint
    Given the brand "bikeshare"
    And a complaint on twitter from "@tomek": "The app said the bike was free, it was not"
    And the case has reached "investigating"
    When "eva" records the finding "unfounded"
    And "eva" offers a gift worth 1 ride pass
    Then it is refused because "or goodwill with a reason"
    When "eva" offers a gift worth 1 ride pass as goodwill, because "a loyal rider, confused by the app"
    Then the remedy is issued
    And the case is "remedy_offered"

  Scenario: An issued voucher is redeemed once; a voided one is gone for good
    Given the brand "bikeshare"
    And a complaint on twitter from "@tomek": "Your bike tore my jeans"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "chain guard bolt missing"
    And "eva" offers a voucher worth 100 PLN
    And "ola" redeems the remedy
    Then the remedy is redeemed
    When "ola" redeems the remedy
    Then it is refused because "is redeemed, not issued: nothing to redeem"
    When "petr" voids the remedy, because "issued by mistake"
    Then it is refused because "nothing to void"
