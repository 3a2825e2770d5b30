"""ember.special (being written)"""
