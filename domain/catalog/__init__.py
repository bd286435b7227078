"""The application catalogue (应用): the government systems a wireless card or a secure access account may be
allowed to reach. Shared by every area that grants access to them."""
